import { describe, expect, it } from 'vitest';
import { readSpecJson } from '../push/protocol/testing/spec-files';
import { manualMessage, manualMessages } from './cv-messages';

describe('manual error messages', () => {
  it('are the appendix of cvsecurity-api.json, code for code', () => {
    const spec = readSpecJson<{ errorCodes: Array<{ code: number; message: string }> }>('cvsecurity-api.json');
    expect(manualMessages()).toEqual(spec.errorCodes.map((e) => [e.code, e.message]));
  });

  it('has none for the gateway\'s own codes', () => {
    expect(manualMessage(-20)).toBe('Pin number cannot be empty');
    expect(manualMessage(-400)).toBeUndefined();
  });
});
