import { describe, expect, it } from 'vitest';
import { PunchStates } from './punch-states';

describe('PunchStates', () => {
  it("alternates check-in and check-out per person, whatever others' punches in between", () => {
    const s = new PunchStates();
    expect(['2001', '90001', '2001', '2001', '90002', '90001', '2001'].map((pin) => s.next(pin))).toEqual([0, 0, 1, 0, 0, 1, 1]);
  });
});
