/**
 * A terminal first seen on a poll carrying INFO (firmware that never initialises: "it uses getrequest+INFO", field
 * sample other-zam70-capitalbrix) or on an ATTLOG upload (a terminal deleted through REST while it stayed
 * connected, on a process that never held its session) is added at once under DEVICE_ADMISSION=auto, the work owed
 * to it recorded with it (DEVICE_CLEAR_ON_ADD, the default, here). Its request already says it speaks Attendance
 * PUSH: it must be added as a terminal, never sent an access panel's clear (`DATA DELETE user *`, `userauthorize *`
 * ...), which it refuses (-1004) and which held its users back behind them.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ deviceClearOnAdd: true }, (app) => ({ t, reconciler } = app));

/** Commands on a Security PUSH table (its lower-case names), which an attendance terminal refuses (-1004). */
const PANEL_TABLES = /^DATA (UPDATE|DELETE|QUERY|COUNT) (user|userauthorize|templatev10|holiday|timezone|biodata|biophoto|userpic|extuser|mulcarduser)\b/;

async function areaMember(pin: string): Promise<void> {
  expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
}

async function kindOf(sn: string): Promise<string> {
  const [d] = await t.ds.query(`SELECT coalesce(kind_override, kind) AS kind FROM device WHERE sn = $1`, [sn]);
  return d?.kind;
}

describe('a terminal first seen on a request other than its initialisation', () => {
  // Several at once: the pass that plans a new device's owed work starts as it is added, and raced the kind its
  // request shows (the panel's plan won often under load); a single terminal planned as a panel fails the test.
  const FLEET = 20;

  it('polling with INFO: added as a terminal, sent no panel clear, and gets its area members', async () => {
    await areaMember('8301');
    const terms = Array.from({ length: FLEET }, (_, i) => new AttendanceTerminal({ baseUrl: t.baseUrl, sn: `ATT-FIRST-POLL${i}` }));
    await Promise.all(terms.map((term) => term.poll(true)));
    for (const term of terms) {
      await settleTerminal(reconciler, term);
      expect(await kindOf(term.sn)).toBe('att');
      expect(term.executed.map((e) => e.command).filter((c) => PANEL_TABLES.test(c))).toEqual([]);
      expect([...term.users.keys()]).toContain('8301');
    }
  });

  it('uploading punches: added as a terminal, its punch stored once, sent no panel clear', async () => {
    await areaMember('8302');
    const terms = Array.from({ length: FLEET }, (_, i) => new AttendanceTerminal({ baseUrl: t.baseUrl, sn: `ATT-FIRST-ATTLOG${i}` }));
    const answers = await Promise.all(terms.map((term) => term.uploadAttlog([{ pin: '8302', time: '2026-05-07 09:00:00', status: 0, verify: 1 }])));
    expect(answers.map((a) => a.body)).toEqual(terms.map(() => 'OK: 1'));
    for (const term of terms) {
      await term.poll(true);
      await settleTerminal(reconciler, term);
      expect(await kindOf(term.sn)).toBe('att');
      expect(term.executed.map((e) => e.command).filter((c) => PANEL_TABLES.test(c))).toEqual([]);
      expect([...term.users.keys()]).toContain('8302');
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM att_transaction WHERE device_sn = $1`, [term.sn])).toEqual([{ n: 1 }]);
    }
  });
});
