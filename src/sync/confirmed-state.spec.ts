import { describe, expect, it } from 'vitest';
import { refNamesPins } from './confirmed-state';
import type { SyncRef } from './sync-items';

const ref = (r: Partial<SyncRef>): SyncRef => ({ sync: 1, plan: 'p', ...r }) as SyncRef;

describe('refNamesPins (which commands in flight a write must not overtake)', () => {
  const pins = new Set(['1001', '1002']);

  it('finds a pin among the puts or the deletes of a member kind', () => {
    expect(refNamesPins(ref({ kind: 'user', put: [['1002', 'h']] }), pins)).toBe(true);
    expect(refNamesPins(ref({ kind: 'auth', del: ['1001'] }), pins)).toBe(true);
    expect(refNamesPins(ref({ kind: 'card', put: [['2001', 'h']], del: ['2002'] }), pins)).toBe(false);
  });

  it('ignores time zones and holidays, whose keys are not pins (TimezoneId 1001 is not person 1001)', () => {
    expect(refNamesPins(ref({ kind: 'tz', put: [['1001', 'h']] }), pins)).toBe(false);
    expect(refNamesPins(ref({ kind: 'hday', del: ['1002'] }), pins)).toBe(false);
  });

  it('counts every member command when all pins are in scope, and nothing for a clear or a count', () => {
    expect(refNamesPins(ref({ kind: 'user', put: [['9', 'h']] }), null)).toBe(true);
    expect(refNamesPins(ref({ kind: 'user', clear: true }), null)).toBe(false);
    expect(refNamesPins(ref({ verify: 'user' }), pins)).toBe(false);
  });
});
