import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { processTag } from './process-tag';

describe('processTag', () => {
  it('is printable ASCII of at most 63 bytes whatever PGAPPNAME holds, so that PostgreSQL lists it unchanged', () => {
    for (const name of [undefined, '', '  ', 'cvsecurity-gateway', 'Zugangsgerät', '门禁网关', 'a\tb\nc', 'x'.repeat(20) + 'é'.repeat(10), '🙂'.repeat(30)]) {
      const tag = processTag(name, randomUUID());
      expect(tag, JSON.stringify(name)).toMatch(/^[\x20-\x7e]+$/);
      expect(Buffer.byteLength(tag), JSON.stringify(name)).toBeLessThanOrEqual(63);
    }
    expect(processTag('Zugangsgerät', 'u')).toBe('Zugangsger?t u');
    expect(processTag(undefined, 'u')).toBe('cvsecurity-gateway u');
  });
});
