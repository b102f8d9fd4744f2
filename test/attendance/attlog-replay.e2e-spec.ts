/**
 * What a terminal that resumes from its Stamps (attendance manual 5) really sends when an upload reaches the gateway
 * twice: the same records under the same Stamp, the Stamp of the highest record in it. Its upload after a reply it
 * never read (a power cut mid-upload) went and was stored; a punch made while it was offline is above it, unsent;
 * then the earlier upload arrives once more (a request repeated on the way). That replay's Stamp is below the unsent
 * punch's, so the Stamp handed back at its next initialisation still has it upload that punch: every punch is stored
 * once. (A replay never carries a record the terminal has not sent under a Stamp above records it holds unsent:
 * it sends every record above its mark, in order.)
 */
import { expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { punchesOf, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

it('a replayed upload, a lost reply and a punch made offline: each punch stored once, the offline one too', async () => {
  const SN = 'ATT-REPLAY-1';
  const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: SN, stampResume: true });
  expect(await term.init()).toBe(true);
  await settleTerminal(reconciler, term);
  const punch = (time: string, status = 0) => term.punch({ pin: '9101', time, status, verify: 1 });
  expect((await punch('2026-06-01 08:00:00'))?.body).toMatch(/^OK/);
  // Stored, but the reply never reaches it: its mark stays at the first punch.
  term.loseNextUploadReply();
  await punch('2026-06-01 08:05:00');
  // Offline: the third punch stays in its log, above its mark.
  term.online = false;
  expect(await punch('2026-06-01 08:10:00')).toBeNull();
  term.online = true;
  // Its last upload reaches the gateway once more, as it went: the second punch under Stamp 2.
  const replay = await term.resendLastAttlog();
  expect(replay?.status).toBe(200);
  // It boots: handed the Stamp the gateway holds, it uploads whatever lies above it.
  expect(await term.init()).toBe(true);
  expect(Number(term.serverOptions.ATTLOGStamp)).toBe(2);
  await settleTerminal(reconciler, term);
  const stored: Array<{ pin: string; at: string }> = await punchesOf(t, SN);
  expect(stored.map((p) => p.at)).toEqual(['2026-06-01 08:00:00', '2026-06-01 08:05:00', '2026-06-01 08:10:00']);
});
