import { describe, expect, it } from 'vitest';
import { hepStatus } from './hep-status';

describe('hepStatus', () => {
  it('is Normal below the threshold and Abnormal from it on', () => {
    expect(hepStatus(36.5, 0, 37.3)).toBe('Normal');
    expect(hepStatus(37.3, 0, 37.3)).toBe('Abnormal');
    expect(hepStatus(38.1, 0, 37.3)).toBe('Abnormal');
  });
  it('is Unmeasured without a temperature, except for event 68 (the device judged a fever)', () => {
    expect(hepStatus(null, 0, 37.3)).toBe('Unmeasured');
    expect(hepStatus(null, 69, 37.3)).toBe('Unmeasured');
    expect(hepStatus(null, 68, 37.3)).toBe('Abnormal');
  });
});
