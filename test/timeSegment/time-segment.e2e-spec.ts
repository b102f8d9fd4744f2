import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, levelId } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let a: Device;

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'TSEGA0001', 1, '10.4.0.1');
});
afterAll(async () => {
  await t?.close();
});

describe('time segments (gateway extension)', () => {
  it('lists the seeded 24-hour segment, creates, reads, updates and deletes', async () => {
    const list = await t.get('/api/gateway/timeSegments');
    expect(list.body.data[0]).toMatchObject({ name: '24-Hour Accessible', tzId: 1 });
    const created = await t.post('/api/gateway/timeSegments', { name: 'Split', schedule: { mon: [['08:30', '12:00'], ['13:00', '17:00']] }, remark: 'r' });
    expect(created.body).toEqual({
      code: 0,
      message: 'success',
      data: {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        name: 'Split',
        tzId: 2,
        remark: 'r',
        schedule: { sun: [], mon: [['08:30', '12:00'], ['13:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], hol1: [], hol2: [], hol3: [] },
      },
    });
    const id = created.body.data.id;
    expect((await t.get(`/api/gateway/timeSegments/${id}`)).body.data.name).toBe('Split');
    expect((await t.put(`/api/gateway/timeSegments/${id}`, { name: 'Split2' })).body.data.name).toBe('Split2');
    expect((await t.delete(`/api/gateway/timeSegments/${id}`)).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get(`/api/gateway/timeSegments/${id}`)).body.code).toBe(-404);
  });

  it('refuses bad schedules and duplicate names', async () => {
    expect((await t.post('/api/gateway/timeSegments', { name: 'Bad', schedule: { mon: [['12:00', '08:00']] } })).body.code).toBe(-400);
    expect((await t.post('/api/gateway/timeSegments', { name: 'Bad', schedule: { mon: [['8h', '9h']] } })).body.code).toBe(-400);
    expect((await t.post('/api/gateway/timeSegments', { name: 'Bad', schedule: { mon: [['01:00', '02:00'], ['03:00', '04:00'], ['05:00', '06:00'], ['07:00', '08:00']] } })).body.code).toBe(-400);
    expect((await t.post('/api/gateway/timeSegments', { name: '24-Hour Accessible', schedule: {} })).body.code).toBe(-409);
  });

  it('refuses a key that names no day (it was ignored: the day closed under code 0) and reads single-digit hours back as HH:mm', async () => {
    for (const day of ['monday', 'Mon']) {
      const r = await t.post('/api/gateway/timeSegments', { name: `Keyed ${day}`, schedule: { [day]: [['08:00', '12:00']] } });
      expect(r.body).toMatchObject({ code: -400, message: expect.stringContaining(`unknown day "${day}"`) });
    }
    const names = (await t.get('/api/gateway/timeSegments')).body.data.map((s: { name: string }) => s.name);
    expect(names.filter((n: string) => n.startsWith('Keyed'))).toEqual([]);
    const early = (await t.post('/api/gateway/timeSegments', { name: 'Early', schedule: { tue: [['7:05', '9:30']] } })).body.data;
    expect((await t.put(`/api/gateway/timeSegments/${early.id}`, { schedule: { Tue: [] } })).body.code).toBe(-400);
    expect((await t.get(`/api/gateway/timeSegments/${early.id}`)).body.data.schedule.tue).toEqual([['07:05', '09:30']]);
    expect((await t.delete(`/api/gateway/timeSegments/${early.id}`)).body.code).toBe(0);
  });

  it('keeps the seeded 24-Hour Accessible: neither deleted nor renamed (a level added without a time segment is given it by name), its hours may change', async () => {
    const seeded = (await t.get('/api/gateway/timeSegments')).body.data.find((s: { name: string }) => s.name === '24-Hour Accessible');
    expect((await t.delete(`/api/gateway/timeSegments/${seeded.id}`)).body).toMatchObject({ code: -409, message: expect.stringContaining('cannot be deleted') });
    expect((await t.put(`/api/gateway/timeSegments/${seeded.id}`, { name: 'Always' })).body).toMatchObject({ code: -409, message: expect.stringContaining('cannot be renamed') });
    expect((await t.put(`/api/gateway/timeSegments/${seeded.id}`, { name: '24-Hour Accessible', remark: 'kept' })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'No segment named' }] })).body.code).toBe(0);
  });

  it('refuses deleting a segment that levels use, naming the levels (the operator knows which to move first)', async () => {
    const seg = (await t.post('/api/gateway/timeSegments', { name: 'Night shift', schedule: { mon: [['22:00', '23:59']] } })).body.data;
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Night guards', timeSegName: 'Night shift' }] });
    expect((await t.delete(`/api/gateway/timeSegments/${seg.id}`)).body).toEqual({ code: -409, message: 'The time segment is used by the access level "Night guards"', data: null });
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Night cleaners', timeSegName: 'Night shift' }] });
    expect((await t.delete(`/api/gateway/timeSegments/${seg.id}`)).body).toEqual({ code: -409, message: 'The time segment is used by 2 access levels: "Night cleaners", "Night guards"', data: null });
    expect((await t.get(`/api/gateway/timeSegments/${seg.id}`)).body.data).toMatchObject({ name: 'Night shift' });
  });

  it('a deleted segment that devices held is removed from them with DATA DELETE timezone', async () => {
    const seg = (await t.post('/api/gateway/timeSegments', { name: 'Temp', schedule: { sun: [['00:00', '01:00']] } })).body.data;
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'TempLevel', timeSegName: 'Temp' }] });
    await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'TempLevel', doorName: '10.4.0.1-1' }] });
    // The panel's first level also brings time zone 1, its doors' active time zone (Door<n>ValidTZ), in the same command.
    expect((await a.since())[0]).toMatch(new RegExp(`^DATA UPDATE timezone TimezoneId=1\\t.*\\nTimezoneId=${seg.tzId}\\tSunTime1=100\\t`));
    // Move the level away: no level uses the segment on the device any more, so the device loses it; then the segment can go.
    await t.put(`/api/accLevel/update/${await levelId(t, 'TempLevel')}`, { timeSegName: '24-Hour Accessible' });
    expect((await a.since()).at(-1)).toBe(`DATA DELETE timezone TimezoneId=${seg.tzId}`);
    expect((await t.delete(`/api/gateway/timeSegments/${seg.id}`)).body.code).toBe(0);
    expect(await a.since()).toEqual([]);
  });
});

describe('holidays (gateway extension)', () => {
  it('create/update/delete re-send the whole holiday table to every admitted device', async () => {
    const h = await t.post('/api/gateway/holidays', { name: 'New Year', startDate: '2027-01-01', endDate: '2027-01-02', holidayType: 2, isLoopByYear: true });
    expect(h.body).toEqual({ code: 0, message: 'success', data: { id: expect.any(String), name: 'New Year', startDate: '2027-01-01', endDate: '2027-01-02', holidayType: 2, isLoopByYear: true, remark: null } });
    // The device held no holiday: the days are added; a change or removal later resends the table after `holiday *`.
    expect(await a.since()).toEqual(['DATA UPDATE holiday Holiday=20270101\tHolidayType=2\tLoop=1\nHoliday=20270102\tHolidayType=2\tLoop=1']);
    expect((await t.put(`/api/gateway/holidays/${h.body.data.id}`, { endDate: '2027-01-01', isLoopByYear: false })).body.code).toBe(0);
    expect(await a.since()).toEqual(['DATA DELETE holiday *', 'DATA UPDATE holiday Holiday=20270101\tHolidayType=2\tLoop=2']);
    expect((await t.get('/api/gateway/holidays')).body.data).toHaveLength(1);
    expect((await t.post('/api/gateway/holidays', { name: 'Bad', startDate: '2027-02-02', endDate: '2027-02-01' })).body.code).toBe(-101);
    expect((await t.post('/api/gateway/holidays', { name: 'Bad', startDate: '2027-02-30', endDate: '2027-03-01' })).body.code).toBe(-100);
    expect((await t.delete(`/api/gateway/holidays/${h.body.data.id}`)).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(['DATA DELETE holiday *']);
    a.expectAllAcknowledged();
  });

  it('refuses a holiday giving a day another type or loop than a holiday already there (the device holds one per day: it never got it)', async () => {
    const founding = (await t.post('/api/gateway/holidays', { name: 'Founding', startDate: '2027-06-01', endDate: '2027-06-02', holidayType: 1 })).body.data;
    expect(await a.since()).toEqual(['DATA UPDATE holiday Holiday=20270601\tHolidayType=1\tLoop=2\nHoliday=20270602\tHolidayType=1\tLoop=2']);
    const clash = expect.stringContaining('2027-06-02 is already a holiday of type 1 (Founding)');
    expect((await t.post('/api/gateway/holidays', { name: 'Other type', startDate: '2027-06-02', endDate: '2027-06-03', holidayType: 2 })).body).toMatchObject({ code: -409, message: clash });
    expect((await t.post('/api/gateway/holidays', { name: 'Yearly', startDate: '2027-06-02', endDate: '2027-06-02', holidayType: 1, isLoopByYear: true })).body).toMatchObject({ code: -409, message: clash });
    // The same record for the day is no clash: the device's table is the same either way.
    const bridge = (await t.post('/api/gateway/holidays', { name: 'Bridge', startDate: '2027-06-02', endDate: '2027-06-04', holidayType: 1 })).body.data;
    expect((await t.put(`/api/gateway/holidays/${founding.id}`, { holidayType: 3 })).body).toMatchObject({ code: -409, message: expect.stringContaining('2027-06-02 is already a holiday of type 1 (Bridge)') });
    expect((await t.get('/api/gateway/holidays')).body.data.map((h: { name: string; holidayType: number }) => [h.name, h.holidayType])).toEqual([['Founding', 1], ['Bridge', 1]]);
    // Bridge's new days only; the refused writes sent nothing.
    expect(await a.since()).toEqual(['DATA UPDATE holiday Holiday=20270603\tHolidayType=1\tLoop=2\nHoliday=20270604\tHolidayType=1\tLoop=2']);
    for (const h of [founding, bridge]) expect((await t.delete(`/api/gateway/holidays/${h.id}`)).body.code).toBe(0);
    await a.since();
    a.expectAllAcknowledged();
  });

  it('refuses holidays that would give more than 10,000 holiday days, naming the count; every day accepted reaches the panel (it stopped at 10,000 without a word)', async () => {
    let days = 0;
    for (let y = 2030; y <= 2056; y++) {
      const r = await t.post('/api/gateway/holidays', { name: `Year ${y}`, startDate: `${y}-01-01`, endDate: `${y}-12-31`, holidayType: 1 });
      expect(r.body.code).toBe(0);
      days += y % 4 === 0 ? 366 : 365;
    }
    const refused = await t.post('/api/gateway/holidays', { name: 'Year 2057', startDate: '2057-01-01', endDate: '2057-12-31', holidayType: 1 });
    expect(refused.body).toEqual({
      code: -400,
      message: `The holidays would give ${days + 365} holiday days; a device is sent at most 10000 (one holiday record per day)`,
      data: null,
    });
    // Up to the 10,000th day is accepted, and every one of them is on the panel, the last one too.
    const last = new Date(Date.UTC(2057, 0, 1) + (10000 - days - 1) * 86400000).toISOString().slice(0, 10);
    const fill = await t.post('/api/gateway/holidays', { name: 'Year 2057', startDate: '2057-01-01', endDate: last, holidayType: 1 });
    expect(fill.body.code).toBe(0);
    expect((await t.put(`/api/gateway/holidays/${fill.body.data.id}`, { endDate: '2057-12-31' })).body.code).toBe(-400);
    await a.since();
    const held = a.sim.tables.rows('holiday');
    expect(held).toHaveLength(10000);
    expect(a.sim.tables.match('holiday', [['Holiday', last.replaceAll('-', '')]])).toHaveLength(1);
    expect((await t.get('/api/gateway/holidays')).body.data).toHaveLength(28);
    a.expectAllAcknowledged();
  });
});
