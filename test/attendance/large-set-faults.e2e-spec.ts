/**
 * A large person set reaching an attendance terminal: 300 users, every third with a photo of some 40 KB, a finger each
 * tenth. The Attendance PUSH manual (12 "Get Command") bounds no reply: a getrequest reply carries `C:` lines joined by
 * LF, one record per command; the gateway cuts what is queued into replies of at most maxCommandsPerReply commands and
 * replyByteBudget bytes (a single larger command alone), as it does for panels. Mid-way the terminal loses a reply, runs
 * one whose results never arrive, has a user deleted at its menu, is factory reset and refuses commands, while REST
 * renames, deletes and takes persons out of its area. It ends holding exactly its area's members with their names,
 * cards, fingers and photos, nothing owed, and no reply ever went past either bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { REPLY_LINE_OVERHEAD } from '../../src/push/protocol/command-rules';
import { settingsOf } from '../push/push-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { convergeTerminals, heldBiometrics, nothingPending, pendingOn, playTerminalFault, startFaultProperty, wantedBiometrics, type TerminalFaultOp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let term: AttendanceTerminal;
const SN = 'ATT-BIGSET';
const N = 300;
const pinOf = (i: number) => String(31000 + i);
const photoOf = (i: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(30_000, i % 251), Buffer.from([0xff, 0xd9])]).toString('base64');
const finger = (i: number) => Buffer.from(`finger of ${pinOf(i)}`.padEnd(48, '.')).toString('base64');
const ok = async (p: Promise<{ body: { code: number } }>) => expect((await p).body.code).toBe(0);

beforeAll(async () => {
  ({ t, reconciler, terms: [term] } = await startFaultProperty([SN]));
});
afterAll(async () => {
  await t?.close();
});

describe('300 users with photos and fingers reaching an attendance terminal under faults', () => {
  it('goes in replies within the count and byte bounds, and ends equal to the database', { timeout: 300_000 }, async () => {
    for (let b = 0; b < N; b += 100) {
      const persons = Array.from({ length: 100 }, (_, k) => ({ pin: pinOf(b + k), name: `P${b + k}`, cardNo: String(610000 + b + k), ...((b + k) % 3 === 0 ? { personPhoto: photoOf(b + k) } : {}) }));
      await ok(t.post('/api/v2/person/addPersons', persons));
      await ok(t.post('/api/attAreaPerson/set', { code: SN, pins: persons.map((p) => p.pin) }));
    }
    for (let i = 0; i < N; i += 10) await ok(t.post('/api/bioTemplate/add', { personId: pinOf(i), validType: '1', template: finger(i), templateNo: '1' }));
    await reconciler.idle();

    const wanted = async () => {
      const rows: Array<{ pin: string; name: string; card_no: string | null }> = await t.ds.query(
        `SELECT p.pin, p.name, p.card_no FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id AND p.status = 'active'
          WHERE ap.module = 'att' AND a.code = $1 ORDER BY p.pin`,
        [SN],
      );
      return Object.fromEntries(rows.map((r) => [r.pin, `${r.name}|${r.card_no ?? ''}`]));
    };
    const settings = settingsOf(t);
    const replies: Array<{ count: number; bytes: number }> = [];
    const poll = async (withInfo = false) => {
      const got = await term.poll(withInfo);
      if (got.length) replies.push({ count: got.length, bytes: got.reduce((n, e) => n + Buffer.byteLength(e.command) + REPLY_LINE_OVERHEAD, 0) });
      return got;
    };
    await poll();
    term.loseNextReply();
    await poll();
    await new Promise((r) => setTimeout(r, 250));
    await playTerminalFault([term], { kind: 'runLost', term: 0 } as TerminalFaultOp);
    for (let i = 0; i < 15; i++) await ok(t.post('/api/person/add', { pin: pinOf(i * 7), name: `R${i}`, cardNo: String(610000 + i * 7) }));
    for (let i = 0; i < 10; i++) await ok(t.delete(`/api/person/delete/${pinOf(i * 11 + 2)}`));
    await ok(t.delete('/api/attAreaPerson/delete', {}, { code: SN, pins: [pinOf(4), pinOf(5)].join(',') }));
    await new Promise((r) => setTimeout(r, 250));
    await poll();
    // A member it holds by now is deleted at its menu (reported in an OPERLOG): it is sent back.
    const members = await wanted();
    const held = [...term.users.keys()].find((p) => p in members);
    expect(held).toBeDefined();
    expect((await term.deleteAtMenu(held!, 'user'))?.body).toBe('OK: 1');
    await poll();
    await playTerminalFault([term], { kind: 'reset', term: 0 } as TerminalFaultOp);
    term.failCommands((c) => c.startsWith('DATA'), -1002, 3);
    await new Promise((r) => setTimeout(r, 250));
    await poll(true);
    for (let i = 0; i < 20; i++) await poll();

    const holds = () => Object.fromEntries([...term.users.values()].sort((a, b) => a.pin.localeCompare(b.pin)).map((u) => [u.pin, `${u.name}|${u.card}`]));
    const equal = async () =>
      JSON.stringify(holds()) === JSON.stringify(await wanted()) &&
      JSON.stringify(heldBiometrics(term)) === JSON.stringify((await wantedBiometrics(t, [SN]))[0]) &&
      JSON.stringify(await pendingOn(t, SN)) === JSON.stringify(nothingPending);
    await convergeTerminals(reconciler, [term], equal);

    const want = await wanted();
    expect(Object.keys(want)).toHaveLength(N - 12);
    expect(holds()).toEqual(want);
    expect(heldBiometrics(term)).toEqual((await wantedBiometrics(t, [SN]))[0]);
    expect(await pendingOn(t, SN)).toEqual(nothingPending);
    // Several replies, none past the bounds (a single command larger than the byte budget would go alone).
    expect(replies.length).toBeGreaterThan(6);
    for (const r of replies) {
      expect(r.count).toBeLessThanOrEqual(settings.maxCommandsPerReply);
      if (r.count > 1) expect(r.bytes).toBeLessThanOrEqual(settings.replyByteBudget);
    }
    expect(replies.some((r) => r.count < settings.maxCommandsPerReply && r.bytes > settings.replyByteBudget - 50_000)).toBe(true);
  });
});
