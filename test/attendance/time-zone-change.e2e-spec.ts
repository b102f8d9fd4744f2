/**
 * TIME_ZONE is the devices' clock: what they are told (`TimeZone`, the time sync) and what their uploads'
 * wall-clock times are read in. A site that starts under the container's UTC and is then corrected to its own
 * zone must not have the devices seen before read hours off: told the new zone, read in the old one.
 */
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal } from './attendance-helpers';

let t: TestApp;
let restarted: Gateway | undefined;

beforeAll(async () => {
  t = await startTestApp({ timeZone: 'UTC' });
});
afterAll(async () => {
  if (!restarted) return t?.close();
  await restarted.close();
  await t.db.release();
});

describe('devices seen before TIME_ZONE changed', () => {
  it('are told the new zone and read in it: punches and access events at the wall time they were made', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-TZ-1' });
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-TZ-1', doors: 1 });
    expect((await panel.connect()).registered).toBe(true);
    expect(term.serverOptions.TimeZone).toBe('0');
    const port = Number(new URL(t.baseUrl).port);
    await t.gateway.close();

    // The operator corrects TIME_ZONE and restarts on the same database.
    restarted = await createGateway({ ...t.config, timeZone: 'Asia/Kolkata' }, { poolSize: t.db.poolSize });
    await restarted.app.listen({ port, host: '127.0.0.1' });
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.TimeZone).toBe('330');
    expect((await term.uploadAttlog([{ pin: '7001', time: '2026-11-23 20:00:00', status: 0, verify: 1 }])).status).toBe(200);
    expect((await panel.connect()).registered).toBe(true);
    expect((await panel.uploadRtlog([{ time: '2026-11-23 21:00:00', pin: 7002, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 1 }])).status).toBe(200);

    const zones: Array<{ sn: string; time_zone: string }> = await restartedQuery(`SELECT sn, time_zone FROM device WHERE sn LIKE '%-TZ-1' ORDER BY sn`);
    expect(zones).toEqual([
      { sn: 'ACC-TZ-1', time_zone: 'Asia/Kolkata' },
      { sn: 'ATT-TZ-1', time_zone: 'Asia/Kolkata' },
    ]);
    const punch = await restartedQuery(`SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS utc FROM att_transaction WHERE pin = '7001'`);
    expect(punch).toEqual([{ utc: '2026-11-23 14:30:00' }]);
    const event = await restartedQuery(`SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS utc FROM acc_transaction WHERE pin = '7002'`);
    expect(event).toEqual([{ utc: '2026-11-23 15:30:00' }]);
  });
});

function restartedQuery<R = any>(sql: string): Promise<R[]> {
  return restarted!.app.get(DataSource).query(sql);
}

describe('a site at ±12 h or beyond (attendance manual 5: hours only for -12 < TimeZone < 12)', () => {
  it.each([
    // Zones with one offset all year (Etc/GMT-12 is UTC+12, as Fiji or New Zealand in winter; Etc/GMT+12 is UTC-12).
    ['Etc/GMT-12', '720', '2026-07-14 20:00:00'],
    ['Pacific/Tongatapu', '780', '2026-07-14 19:00:00'],
    ['Pacific/Kiritimati', '840', '2026-07-14 18:00:00'],
    ['Etc/GMT+12', '-720', '2026-07-15 20:00:00'],
  ])('under %s a terminal is told TimeZone=%s (minutes), and its punch at 08:00 is stored at %s UTC', async (zone, told, utc) => {
    const site = await startTestApp({ timeZone: zone });
    try {
      const term = await initialisedTerminal(site, { sn: `ATT-TZ${told}` });
      expect(term.serverOptions.TimeZone).toBe(told);
      expect((await term.uploadAttlog([{ pin: '7003', time: '2026-07-15 08:00:00', status: 0, verify: 1 }])).status).toBe(200);
      const [punch] = await site.ds.query(`SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS utc FROM att_transaction WHERE device_sn = $1`, [term.sn]);
      expect(punch).toEqual({ utc });
    } finally {
      await site.close();
    }
  });
});
