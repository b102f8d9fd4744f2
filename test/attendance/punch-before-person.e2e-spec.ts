/**
 * A device keeping numeric PINs records person 0412 as 412. A punch (or access event) by 412 that arrives before
 * person 0412 exists is stored under 412 with no person; once person 0412 is added it is theirs, as the ingest would
 * have read it had they existed (devicePersonJoinSql): listed for 0412 with their name, in the attendance list and the
 * access lists. A device keeping string PINs (StringPinFunOn=1) keeps its 412 apart from person 0412.
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { Device } from '../sync/access-helpers';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const page = { pageNo: 1, pageSize: 100 };
const punchesOf = async (pin: string) =>
  ((await t.get('/api/transaction/listAttTransaction', { ...page, personPin: pin })).body.data as Array<{ pin: string; name: string; eventTime: string }>).map(
    (p) => `${p.eventTime} ${p.pin} ${p.name}`,
  );
const eventsOf = async (pin: string) =>
  ((await t.get(`/api/transaction/person/${pin}`, page)).body.data as Array<{ pin: string; name: string; eventTime: string }>).map((e) => `${e.eventTime} ${e.pin} ${e.name}`);

describe('records under the number of a pin taken before the person existed', () => {
  it('a numeric-PIN terminal’s punch by 4125 is listed for person 04125 once they are added', async () => {
    const term = await initialisedTerminal(t, { sn: 'NPIN-EARLY', numericPins: true });
    expect((await term.punch({ pin: '4125', time: '2026-03-02 08:00:00', status: 0, verify: 1 }))?.status).toBe(200);
    expect(await punchesOf('4125')).toEqual(['2026-03-02 08:00:00 4125 ']);
    expect(await punchesOf('04125')).toEqual([]);

    expect((await t.post('/api/person/add', { pin: '04125', name: 'Early' })).body.code).toBe(0);
    expect(await punchesOf('04125')).toEqual(['2026-03-02 08:00:00 04125 Early']);
    expect(await punchesOf('4125')).toEqual([]);
    // The same line sent again adds nothing (its key keeps the terminal's pin).
    expect((await term.punch({ pin: '4125', time: '2026-03-02 08:00:00', status: 0, verify: 1 }))?.status).toBe(200);
    expect(await punchesOf('04125')).toEqual(['2026-03-02 08:00:00 04125 Early']);
  });

  it('a numeric-PIN panel’s access event by 4126 is listed for person 04126 once they are added; a string-PIN panel’s 4127 stays its own', async () => {
    const numeric = await Device.connect(t, 'NPIN-EARLYP', 1, '10.59.0.1', { registryExtras: { StringPinFunOn: 0 } });
    const strings = await Device.connect(t, 'SPIN-EARLYP', 1, '10.59.0.2');
    expect((await numeric.sim.uploadRtlog([{ time: '2026-03-02 09:00:00', pin: '4126', cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 }])).status).toBe(200);
    expect((await strings.sim.uploadRtlog([{ time: '2026-03-02 09:05:00', pin: '4127', cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 }])).status).toBe(200);
    expect(await eventsOf('04126')).toEqual([]);

    for (const pin of ['04126', '04127']) expect((await t.post('/api/person/add', { pin, name: `Early ${pin}` })).body.code).toBe(0);
    expect(await eventsOf('04126')).toEqual(['2026-03-02 09:00:00 04126 Early 04126']);
    expect(await eventsOf('4126')).toEqual([]);
    expect(await eventsOf('04127')).toEqual([]);
    expect(await eventsOf('4127')).toEqual(['2026-03-02 09:05:00 4127 ']);
  });
});
