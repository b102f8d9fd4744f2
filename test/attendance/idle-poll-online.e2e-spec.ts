/**
 * A terminal idle-polling every 30 s, a second late at times (field samples hdr-mb160-getrequest,
 * poll-aiface-adaptive: 17:08:44, 17:09:15, 17:09:45), is online throughout: its status as REST answers it
 * (GET /api/gateway/devices/{sn}, the device list) and as the metrics gauges count it never reads offline between
 * two polls, while a terminal really gone (35 s without a poll) reads offline, and online again at its next poll.
 * The gateway's clock is stepped (vi.setSystemTime, Date only) so that each read falls just before the next poll,
 * where a status flips if it ever does.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { DeviceStatusService } from '../../src/push/device-status.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));
afterEach(() => {
  vi.useRealTimers();
});

const SN = 'ATT-IDLE-ONLINE';

/** Every place REST and the metrics say whether the terminal is online. */
async function statusReads(): Promise<{ get: unknown; list: unknown; gauge: string | undefined; all: string | undefined }> {
  const get = (await t.get(`/api/gateway/devices/${SN}`)).body.data?.online;
  const list = ((await t.get('/api/gateway/devices')).body.data as Array<{ sn: string; online: boolean }>).find((d) => d.sn === SN)?.online;
  const metrics = (await t.request('GET', '/metrics')).text;
  const gauge = /^cvgw_att_terminals_online\{kind="att"\} (\d+)$/m.exec(metrics)?.[1];
  const all = /^cvgw_devices_online (\d+)$/m.exec(metrics)?.[1];
  return { get, list, gauge, all };
}

it('an idle terminal polling every 30 to 31 s reads online throughout; one silent for 35 s reads offline, and online again at its next poll', async () => {
  // The device status's first flush, 5 s after start (then every lastSeenFlushMs: an hour here), measures the database
  // clock again once a minute has passed on Date: against the stepped clock it would shift the stored last contacts.
  // Its periodic flush stopped now (it used to be waited out, 5.5 s), this process reads the terminal's contacts
  // from its memory, as it did before: the flush at 5 s had nothing of the terminal to write, the next is an hour on.
  await t.app.get(DeviceStatusService).stop();
  let now = Math.floor(Date.now() / 1000) * 1000;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  const term = await initialisedTerminal(t, { sn: SN });
  await settleTerminal(reconciler, term);
  const online = { get: true, list: true, gauge: '1', all: '1' };
  const offline = { get: false, list: false, gauge: '0', all: '0' };
  const reads: Array<{ quiet: number; get: unknown; list: unknown; gauge: string | undefined; all: string | undefined }> = [];
  /** `seconds` of silence, the status read at the end of it, then the poll. */
  const pollAfter = async (seconds: number) => {
    now += seconds * 1000;
    vi.setSystemTime(now);
    await reconciler.idle();
    reads.push({ quiet: seconds, ...(await statusReads()) });
    await term.poll(true);
  };
  expect(await statusReads()).toEqual(online);
  // Idle: 30 s, a second late now and then, the AiFace's 17:08:44, 17:09:15, 17:09:45 and more of them.
  for (const s of [31, 30, 31, 31, 30, 31, 31, 31, 30, 31]) await pollAfter(s);
  expect(reads.filter((r) => r.get !== true || r.list !== true || r.gauge !== '1' || r.all !== '1')).toEqual([]);
  expect(await statusReads()).toEqual(online);
  // Gone: no poll for 35 s (a failed request and ErrorDelay take longer still) reads offline everywhere.
  now += 35_000;
  vi.setSystemTime(now);
  expect(await statusReads()).toEqual(offline);
  // Back: online at once.
  await term.poll(true);
  expect(await statusReads()).toEqual(online);
});
