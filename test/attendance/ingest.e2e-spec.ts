import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, insertPerson, punchesOf } from './attendance-helpers';

let t: TestApp;
beforeAll(async () => {
  // +05:30 all year: the TimeZone line is in minutes, and wall-clock punches come back as the right instants.
  t = await startTestApp({ timeZone: 'Asia/Kolkata' });
  await insertPerson(t, '1452', 'Ann', 'Lee');
});
afterAll(async () => {
  await t?.close();
});

describe('initialisation (attendance manual 5)', () => {
  it('answers a terminal GET OPTION FROM with stamps, delays, TransFlag, TimeZone and versions; it lands in area 1 as att', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-INIT-1' });
    expect(term.optionFrom).toBe('ATT-INIT-1');
    expect(term.serverOptions).toMatchObject({
      ATTLOGStamp: 'None',
      OPERLOGStamp: 'None',
      ATTPHOTOStamp: 'None',
      ErrorDelay: '30',
      Delay: '5',
      TransInterval: '1',
      TimeZone: '330',
      Realtime: '1',
      Encrypt: '0',
      ServerVer: '2.4.1',
      PushProtVer: '2.4.1',
      ATTPHOTOBase64: '1',
      MultiBioDataSupport: '0:1:1:1:1:1:1:1:1:1',
      MultiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1',
    });
    expect(term.serverOptions.TransFlag).toBe('TransData AttLog\tOpLog\tAttPhoto\tEnrollUser\tChgUser\tEnrollFP\tChgFP\tFPImag\tFACE\tUserPic\tWORKCODE\tBioPhoto');
    const [d] = await t.ds.query(`SELECT d.kind, d.admission, a.code FROM device d JOIN area a ON a.id = d.area_id WHERE d.sn = 'ATT-INIT-1'`);
    expect(d).toEqual({ kind: 'att', admission: 'admitted', code: '1' });
  });

  it('shows the push version a terminal announced (GET /api/gateway/devices/{sn}): its handshake pushver, then its options PushVersion', async () => {
    const pushVersionOf = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}`)).body.data.pushVersion;
    // No options push: the handshake's pushver (manual 5) is all it said.
    expect((await (await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-PV-1&options=all&pushver=2.2.14&language=69`)).text()).split('\n')[0]).toBe('GET OPTION FROM: ATT-PV-1');
    expect(await pushVersionOf('ATT-PV-1')).toBe('2.2.14');
    // Its options (manual 8, PushOptionsFlag=1) name the push firmware's own version: that one.
    const term = await initialisedTerminal(t, { sn: 'ATT-PV-2', pushVersion: 'Ver 2.0.33S-20220623' });
    expect(term.optionFrom).toBe('ATT-PV-2');
    expect(await pushVersionOf('ATT-PV-2')).toBe('Ver 2.0.33S-20220623');
    expect(await term.init()).toBe(true);
    expect(await pushVersionOf('ATT-PV-2')).toBe('Ver 2.0.33S-20220623');
  });

  it("answers the manual's own form (options=all, pushver, language; no pushcommkey, no DeviceType) with the option block", async () => {
    // Attendance manual 5, as printed: pushcommkey is optional and DeviceType is not part of the request.
    const init = await fetch(`${t.baseUrl}/iclock/cdata?SN=0316144680030&options=all&pushver=2.2.14&language=83`);
    expect(await init.text()).toMatch(/^GET OPTION FROM: 0316144680030\n(.+\n)*PushProtVer=/);
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-INIT-MANUAL', pushver: '2.4.1', pushcommkey: null, deviceType: null });
    expect(await term.init()).toBe(true);
    expect(term.serverOptions).toMatchObject({ ATTLOGStamp: 'None', Realtime: '1' });
    expect((await term.punch({ pin: '1452', time: '2026-03-01 07:00:00', status: 0, verify: 1 }))?.body).toBe('OK: 1');
    const kinds = await t.ds.query(`SELECT sn, kind FROM device WHERE sn IN ('0316144680030', 'ATT-INIT-MANUAL') ORDER BY sn`);
    expect(kinds).toEqual([
      { sn: '0316144680030', kind: 'att' },
      { sn: 'ATT-INIT-MANUAL', kind: 'att' },
    ]);
  });

  it('keeps Security PUSH panels panels: their handshake (pushver 3.x, or 2.x without language) is answered OK, and they register', async () => {
    // Security manual 4.1, as printed in its example: `OK` means "please register".
    const raw = await fetch(`${t.baseUrl}/iclock/cdata?SN=3383154200002&pushver=3.0.1&options=all`);
    expect(await raw.text()).toBe('OK');
    const panels = [
      new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-HS-312', doors: 1 }),
      new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-HS-ACC', doors: 1, language: '69', handshakeExtras: { DeviceType: 'acc' } }),
      new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-HS-220', doors: 1, pushVersion: '2.2.0' }),
    ];
    for (const sim of panels) {
      const hs = await sim.handshake();
      expect([sim.sn, hs.status, hs.body]).toEqual([sim.sn, 200, 'OK']);
      expect((await sim.register()).registered).toBe(true);
      expect((await sim.handshake()).options).toMatchObject({ registry: 'ok', RegistryCode: sim.registryCode });
    }
    const kinds = await t.ds.query(`SELECT DISTINCT kind FROM device WHERE sn LIKE 'ACC-HS-%' OR sn = '3383154200002'`);
    expect(kinds).toEqual([{ kind: 'acc' }]);
  });

  it('a panel whose first handshake reads like a terminal (language, pushver 2.x) is a panel again once it registers', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-HS-LOOKALIKE', doors: 1, pushVersion: '2.4.1', language: '69' });
    await sim.handshake();
    expect((await sim.register()).registered).toBe(true);
    expect((await sim.handshake()).options).toMatchObject({ registry: 'ok', RegistryCode: sim.registryCode });
    const [d] = await t.ds.query(`SELECT kind FROM device WHERE sn = 'ACC-HS-LOOKALIKE'`);
    expect(d.kind).toBe('acc');
  });

  it('answers old firmware initialising with SN and options=all alone (no pushver: 2.2.14, Appendix 6) with the option block', async () => {
    const raw = await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-OLD-BARE&options=all`);
    expect(await raw.text()).toMatch(/^GET OPTION FROM: ATT-OLD-BARE\nATTLOGStamp=None\n(.+\n)*TimeZone=330\n(.+\n)*PushProtVer=2\.4\.1\n/);
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-OLD-1', pushver: null, language: null, pushcommkey: null, deviceType: null });
    expect(await term.init()).toBe(true);
    expect((await term.uploadAttlog([{ pin: '1452', time: '2026-03-02 07:00:00', status: 0, verify: 1 }])).body).toBe('OK: 1');
    // Its next boot resumes from the Stamp of that upload.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).not.toBe('None');
    expect((await punchesOf(t, 'ATT-OLD-1')).map((p: { at: string }) => p.at)).toEqual(['2026-03-02 01:30:00']);
    const kinds = await t.ds.query(`SELECT sn, kind FROM device WHERE sn LIKE 'ATT-OLD-%' ORDER BY sn`);
    expect(kinds).toEqual([
      { sn: 'ATT-OLD-1', kind: 'att' },
      { sn: 'ATT-OLD-BARE', kind: 'att' },
    ]);
  });

  it('a panel sending no pushver either still registers, and is a panel', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-HS-NOVER', doors: 1, pushVersion: null });
    expect((await sim.connect()).registered).toBe(true);
    expect((await sim.handshake()).options).toMatchObject({ registry: 'ok', RegistryCode: sim.registryCode });
    const [d] = await t.ds.query(`SELECT kind FROM device WHERE sn = 'ACC-HS-NOVER'`);
    expect(d.kind).toBe('acc');
  });

  it('gives Push 3.x firmware TransFlag in format I (digits): handed the names, it transmits nothing (field notes)', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-INIT-3X', pushver: '3.1.2' });
    expect(term.serverOptions.TransFlag).toBe('111111111111');
  });

  it('a Push 3.x unit announcing pushver=2.4.1 (its options say PushVersion 3.1.6S) is sent CHECK and then gets the digits: its punches arrive', async () => {
    // Field samples hs-speedface-v5l-zam230-att and other-registration-loop-15s: handed the names, it transmits nothing.
    const term = await initialisedTerminal(t, { sn: 'AJE1261900133', pushver: '2.4.1', pushVersion: 'Ver 3.1.6S-20251028' });
    expect(term.serverOptions.TransFlag).toMatch(/^TransData /);
    await term.punch({ pin: '1452', time: '2026-03-08 08:00:00', status: 0, verify: 15 });
    const done = await term.drain();
    expect(done.filter((d) => d.command === 'CHECK').map((d) => d.returnCode)).toEqual([0]);
    expect(term.serverOptions.TransFlag).toBe('111111111111');
    expect((await punchesOf(t, 'AJE1261900133')).map((p: { pin: string; at: string }) => `${p.pin} ${p.at}`)).toEqual(['1452 2026-03-08 02:30:00']);
    // Its next boot: digits at once, and no CHECK again.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.TransFlag).toBe('111111111111');
    expect((await term.drain()).filter((d) => d.command === 'CHECK')).toEqual([]);
  });

  it('a Push 3.x terminal that registers (DeviceType=att, Security manual 4.4) is told it is registered at its next initialisation, and registers once', async () => {
    // Security PUSH firmware knows it is registered by `registry=ok` and its RegistryCode in the answer to its
    // initialisation (4.1); without them it registers again on every boot (field sample other-registration-loop-15s).
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-P3-REG', pushver: '3.1.2', registers: true });
    expect(await term.init()).toBe(true);
    expect([term.registrations, term.serverOptions.registry]).toEqual([1, undefined]);
    expect(term.registryCode).toMatch(/^[\x21-\x7e]{1,32}$/);
    expect(await term.init()).toBe(true);
    expect(term.serverOptions).toMatchObject({ registry: 'ok', RegistryCode: term.registryCode, TransFlag: '111111111111', ATTLOGStamp: 'None' });
    expect(term.initBody.split('\n')[0]).toBe('GET OPTION FROM: ATT-P3-REG');
    expect(term.registrations).toBe(1);
    expect((await term.punch({ pin: '1452', time: '2026-03-09 08:00:00', status: 0, verify: 1 }))?.body).toBe('OK: 1');
    expect((await punchesOf(t, 'ATT-P3-REG')).map((p: { pin: string; at: string }) => `${p.pin} ${p.at}`)).toEqual(['1452 2026-03-09 02:30:00']);
    // A terminal that never registered is answered without the registry lines.
    const plain = await initialisedTerminal(t, { sn: 'ATT-P3-PLAIN', pushver: '3.1.2' });
    expect(await plain.init()).toBe(true);
    expect([plain.serverOptions.registry, plain.serverOptions.RegistryCode]).toEqual([undefined, undefined]);
  });

  it('a terminal padding its query values with NUL (C firmware) initialises and polls: the padding is dropped', async () => {
    const init = await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-NUL&options=all&pushver=2.4.1%00&language=69%00&pushcommkey=a%00b&DeviceType=att%00`);
    expect(await init.text()).toMatch(/^GET OPTION FROM: ATT-NUL\n/);
    const poll = await fetch(`${t.baseUrl}/iclock/getrequest?SN=ATT-NUL&INFO=Ver%206.60%00,5,3,100,192.168.1.5,10,7,12,5,111`);
    expect([poll.status, await poll.text()]).toEqual([200, 'OK']);
    const [row] = await t.ds.query(`SELECT a.info->>'firmware' AS firmware, a.info->>'userCount' AS users FROM att_terminal a JOIN device d ON d.id = a.device_id WHERE d.sn = 'ATT-NUL'`);
    expect(row).toEqual({ firmware: 'Ver 6.60', users: '5' });
  });

  it('hands the last uploaded stamps back at the next initialisation', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-INIT-2' });
    await term.punch({ pin: '1452', time: '2026-03-01 09:00:00', status: 0, verify: 1 });
    await term.init();
    expect(term.serverOptions.ATTLOGStamp).toBe('1');
  });

  it('older firmware: its Stamp, OpStamp and PhotoStamp uploads are noted and handed back under those names too', async () => {
    const init = async () => {
      const body = await (await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-OLDSTAMP&options=all&pushver=2.2.14&language=69`)).text();
      return Object.fromEntries(body.split('\n').slice(1).map((l) => l.split('=', 2)).filter(([k]) => /Stamp$/.test(k)));
    };
    expect(await init()).toMatchObject({ Stamp: 'None', OpStamp: 'None', PhotoStamp: 'None', ATTLOGStamp: 'None' });
    const post = (query: string, body: string | Buffer) => fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-OLDSTAMP&${query}`, { method: 'POST', body }).then((r) => r.text());
    expect(await post('table=ATTLOG&Stamp=500', '1452\t2026-03-07 09:00:00\t0\t1\t0\t0\t0\n')).toBe('OK: 1');
    expect(await post('table=OPERLOG&OpStamp=600', 'OPLOG 4\t0\t2026-03-07 10:22:34\t0\t0\t0\t0\n')).toBe('OK: 1');
    const photo = Buffer.concat([Buffer.from('PIN=20260307090000-1452.jpg\nSN=ATT-OLDSTAMP\nsize=4\nCMD=uploadphoto\0'), Buffer.from([0xff, 0xd8, 0xff, 0xd9])]);
    expect(await post('table=ATTPHOTO&PhotoStamp=700', photo)).toBe('OK');
    expect(await init()).toMatchObject({ Stamp: '500', OpStamp: '600', PhotoStamp: '700', ATTLOGStamp: '500', OPERLOGStamp: '600', ATTPHOTOStamp: '700' });
  });

  it('a pending terminal under manual admission is recorded and told nothing; approval brings the block', async () => {
    const manual = await startTestApp({ deviceAdmission: 'manual' });
    try {
      const term = new AttendanceTerminal({ baseUrl: manual.baseUrl, sn: 'ATT-PENDING' });
      expect(await term.init()).toBe(false);
      expect(term.initBody).toBe('OK');
      const r = await term.uploadAttlog([{ pin: '1', time: '2026-03-01 09:00:00', status: 0, verify: 1 }]);
      expect(r.body).not.toMatch(/^OK/);
      const [d] = await manual.ds.query(`SELECT kind, admission FROM device WHERE sn = 'ATT-PENDING'`);
      expect(d).toEqual({ kind: 'att', admission: 'pending' });
      expect(await manual.ds.query(`SELECT 1 FROM att_transaction`)).toHaveLength(0);
      // Approved: the next initialisation gets the option block, and the kept punches are stored.
      expect((await manual.post('/api/gateway/devices/ATT-PENDING/approve')).body.code).toBe(0);
      expect(await term.init()).toBe(true);
      expect((await term.uploadAttlog([{ pin: '1', time: '2026-03-01 09:00:00', status: 0, verify: 1 }])).body).toBe('OK: 1');
      expect(await manual.ds.query(`SELECT 1 FROM att_transaction`)).toHaveLength(1);
    } finally {
      await manual.close();
    }
  });
});

describe('ATTLOG ingest (attendance manual 11.2)', () => {
  it('stores each punch once with the person name, answering OK: <count>', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ING-1', crlf: true, trailingTab: true });
    const rows = [
      { pin: '1452', time: '2026-03-01 09:00:00', status: 0, verify: 1 },
      { pin: '1452', time: '2026-03-01 18:00:00', status: 1, verify: 15 },
      { pin: '8965', time: '2026-03-01 18:00:05', status: 0, verify: 4, workCode: '7' },
    ];
    const r = await term.uploadAttlog(rows);
    expect(r.status).toBe(200);
    expect(r.body).toBe('OK: 3');
    // Re-sent (the terminal did not read the answer): nothing more.
    expect((await term.uploadAttlog(rows)).body).toBe('OK: 3');
    expect(await punchesOf(t, 'ATT-ING-1')).toEqual([
      { pin: '1452', name: 'Ann', status: 0, verify_mode_no: 1, work_code: null, at: '2026-03-01 03:30:00' },
      { pin: '1452', name: 'Ann', status: 1, verify_mode_no: 15, work_code: null, at: '2026-03-01 12:30:00' },
      { pin: '8965', name: null, status: 0, verify_mode_no: 4, work_code: '7', at: '2026-03-01 12:30:05' },
    ]);
  });

  it('one bad line never costs the good ones; the bad one is kept raw', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ING-2' });
    const r = await term.uploadRaw('ATTLOG', '1452\t2026-03-02 09:00:00\t0\t1\t\t0\t0\n\t2026-03-02 09:00:01\t0\t1\n1452\t2026-13-02 09:00:00\t0\t1\n1452\t2026-03-02 18:00:00\t1\t1\n');
    // The records processed (manual 11.2), not the lines received: the two refused ones are kept raw, not counted.
    expect(r.body).toBe('OK: 2');
    expect((await punchesOf(t, 'ATT-ING-2')).map((p: { at: string }) => p.at)).toEqual(['2026-03-02 03:30:00', '2026-03-02 12:30:00']);
    const raw = await t.ds.query(`SELECT record->>'reason' AS reason FROM device_upload WHERE device_sn = 'ATT-ING-2' AND table_name = 'ATTLOG.rejected' ORDER BY id`);
    expect(raw.map((x: { reason: string }) => x.reason)).toEqual(['empty PIN', 'bad or missing time']);
  });

  it('stores punches of lines that mix TABs and blanks (firmware variants), each once, beside the regular ones', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ING-MIX' });
    const body = '1452\t2026-03-03 09:00:00\t0\t1\t0\t0\t0\n1452\t2026-03-03 12:00:00 2 1 0 0 0\r\n1452 2026-03-03 13:00:00\t3\t1\t\t0\t0\n1452\t2026-03-03\t18:00:00\t1\t15\n';
    expect((await term.uploadRaw('ATTLOG', body)).body).toBe('OK: 4');
    expect((await term.uploadRaw('ATTLOG', body)).body).toBe('OK: 4');
    expect((await punchesOf(t, 'ATT-ING-MIX')).map((p: { at: string; status: number; verify_mode_no: number }) => [p.at, p.status, p.verify_mode_no])).toEqual([
      ['2026-03-03 03:30:00', 0, 1],
      ['2026-03-03 06:30:00', 2, 1],
      ['2026-03-03 07:30:00', 3, 1],
      ['2026-03-03 12:30:00', 1, 15],
    ]);
    expect(await t.ds.query(`SELECT 1 FROM device_upload WHERE device_sn = 'ATT-ING-MIX' AND table_name = 'ATTLOG.rejected'`)).toEqual([]);
  });

  it('punches and users a terminal posts as table data (querydata answers to DATA QUERY, in packets; tabledata on cdata) are stored once; refused lines are kept raw', async () => {
    // Push 3.x firmware in T&A mode answers DATA QUERY on /iclock/querydata (field notes 4); the lines are the
    // attendance manual's, which the Security PUSH key=value reader refused: acknowledged `ATTLOG=<n>` and lost.
    const term = await initialisedTerminal(t, { sn: 'ATT-QD', queryResultsVia: 'querydata', queryPacketSize: 2 });
    await term.drain();
    term.online = false;
    for (const [i, time] of ['2026-03-06 08:00:00', '2026-03-06 12:00:00', '2026-03-06 17:30:00'].entries()) await term.punch({ pin: '1452', time, status: i % 2, verify: 1 });
    term.users.set('8701', { pin: '8701', name: 'Queried', pri: 0, passwd: '', card: '5550001', grp: 1, tz: '0000000000000000', verify: -1, fields: {} });
    term.online = true;
    const period = { startTime: '2026-03-06 00:00:00', endTime: '2026-03-06 23:59:59' };
    for (let round = 0; round < 2; round++) {
      expect((await t.post('/api/gateway/attendance/terminals/ATT-QD/recover', period)).body.code).toBe(0);
      const done = await term.drain();
      // The simulator checks each packet's acknowledgement (`ATTLOG=2`, then `ATTLOG=1`): Return 0 only if both came.
      expect(done.filter((d) => d.command.startsWith('DATA QUERY ATTLOG')).map((d) => d.returnCode)).toEqual([0]);
    }
    expect((await punchesOf(t, 'ATT-QD')).map((p: { pin: string; status: number; at: string }) => `${p.pin} ${p.status} ${p.at}`)).toEqual([
      '1452 0 2026-03-06 02:30:00',
      '1452 1 2026-03-06 06:30:00',
      '1452 0 2026-03-06 12:00:00',
    ]);
    const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 5, startDate: '2026-03-06 00:00:00', endDate: '2026-03-06 23:59:59' })).body;
    expect(list.data.map((x: { pin: string; eventTime: string; devSn: string }) => `${x.pin} ${x.eventTime} ${x.devSn}`)).toEqual([
      '1452 2026-03-06 17:30:00 ATT-QD',
      '1452 2026-03-06 12:00:00 ATT-QD',
      '1452 2026-03-06 08:00:00 ATT-QD',
    ]);
    // DATA QUERY USERINFO answered the same way: the USER line is read as on OPERLOG (11.5).
    expect((await t.post('/api/gateway/attendance/terminals/ATT-QD/command', { action: 'queryUser', pin: '8701' })).body.code).toBe(0);
    expect((await term.drain()).filter((d) => d.command.startsWith('DATA QUERY USERINFO')).map((d) => d.returnCode)).toEqual([0]);
    expect(await t.ds.query(`SELECT name, card_no FROM person WHERE pin = '8701'`)).toEqual([{ name: 'Queried', card_no: '5550001' }]);
    // Table data on cdata: the good line stored, the bad one kept raw; a Security PUSH table's refused line too.
    const post = (path: string, body: string) => fetch(`${t.baseUrl}${path}`, { method: 'POST', body }).then((r) => r.text());
    expect(await post('/iclock/cdata?SN=ATT-QD&table=tabledata&tablename=ATTLOG&count=2', '1452\t2026-03-06 19:00:00\t1\t15\t\t0\t0\nnot a punch\n')).toBe('ATTLOG=2');
    expect(await post('/iclock/querydata?SN=ATT-QD&type=tabledata&cmdid=999&tablename=userpic&count=1&packcnt=1&packidx=1', 'no fields here\n')).toBe('userpic=1');
    expect((await punchesOf(t, 'ATT-QD')).map((p: { at: string }) => p.at)).toContain('2026-03-06 13:30:00');
    const raw = await t.ds.query(`SELECT table_name, record->>'line' AS line FROM device_upload WHERE device_sn = 'ATT-QD' AND table_name LIKE '%.rejected' ORDER BY id`);
    expect(raw).toEqual([
      { table_name: 'ATTLOG.rejected', line: 'not a punch' },
      { table_name: 'userpic.rejected', line: 'no fields here' },
    ]);
  });

  it('users, templates and photos a terminal posts under their own table name (table=USERINFO, USERPIC; FINGERTMP, BIODATA, FACE, FVEIN as table data) are enrolled, lines without their record word too', async () => {
    // Manual 12.1.3: the answer to DATA QUERY USERINFO / FINGERTMP / BIODATA is uploaded as Uploading User Information
    // / Fingerprint Template / Unified Templates are. Terminals posting them under the table's own name were answered
    // `OK` / `<table>=<n>` while the users and templates were only kept raw: never enrolled, never sent on.
    await initialisedTerminal(t, { sn: 'ATT-OWN-TABLES' });
    const post = (path: string, body: string) => fetch(`${t.baseUrl}${path}`, { method: 'POST', body }).then((r) => r.text());
    const qd = (table: string) => `/iclock/querydata?SN=ATT-OWN-TABLES&type=tabledata&cmdid=77&tablename=${table}&count=1&packcnt=1&packidx=1`;
    const finger = Buffer.from('finger of 8901, queried').toString('base64');
    const face = Buffer.from('visible face of 8902').toString('base64');
    const nir = Buffer.from('near-infrared face of 8903').toString('base64');
    const vein = Buffer.from('finger vein of 8903').toString('base64');
    expect(await post('/iclock/cdata?SN=ATT-OWN-TABLES&table=USERINFO&Stamp=5', 'USER PIN=8901\tName=Own Table\tPri=0\tPasswd=\tCard=7770001\tGrp=1\tTZ=0000000000000000\tVerify=0\tViceCard=\n')).toBe('OK: 1');
    expect(await post('/iclock/cdata?SN=ATT-OWN-TABLES&table=USERINFO', 'PIN=8902\tName=No Word\tPri=14\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=0\tViceCard=\n')).toBe('OK: 1');
    expect(await post(qd('USERINFO'), 'USERINFO PIN=8903\tName=Table Word\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=0\tViceCard=\n')).toBe('USERINFO=1');
    expect(await post(qd('FINGERTMP'), `FP PIN=8901\tFID=6\tSize=${finger.length}\tValid=1\tTMP=${finger}\n`)).toBe('FINGERTMP=1');
    expect(await post(qd('BIODATA'), `Pin=8902\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=${face}\n`)).toBe('BIODATA=1');
    expect(await post('/iclock/cdata?SN=ATT-OWN-TABLES&table=tabledata&tablename=FACE&count=1', `FACE PIN=8903\tFID=0\tSIZE=${nir.length}\tVALID=1\tTMP=${nir}\n`)).toBe('FACE=1');
    expect(await post(qd('FVEIN'), `Pin=8903\tFID=2\tIndex=0\tSize=${vein.length}\tValid=1\tTmp=${vein}\n`)).toBe('FVEIN=1');
    const pic = Buffer.from('user photo of 8901').toString('base64');
    expect(await post('/iclock/cdata?SN=ATT-OWN-TABLES&table=USERPIC', `PIN=8901\tFileName=8901.jpg\tSize=${pic.length}\tContent=${pic}\n`)).toBe('OK: 1');
    expect(await t.ds.query(`SELECT photo FROM person WHERE pin = '8901'`)).toEqual([{ photo: pic }]);
    expect(await t.ds.query(`SELECT pin, name, card_no FROM person WHERE pin LIKE '890_' ORDER BY pin`)).toEqual([
      { pin: '8901', name: 'Own Table', card_no: '7770001' },
      { pin: '8902', name: 'No Word', card_no: null },
      { pin: '8903', name: 'Table Word', card_no: null },
    ]);
    const templates = await t.ds.query(
      `SELECT p.pin, bt.bio_type, bt.template_no, bt.template FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin LIKE '890_' ORDER BY p.pin, bt.bio_type`,
    );
    expect(templates).toEqual([
      { pin: '8901', bio_type: 1, template_no: 6, template: finger },
      { pin: '8902', bio_type: 9, template_no: 0, template: face },
      { pin: '8903', bio_type: 2, template_no: 0, template: nir },
      { pin: '8903', bio_type: 7, template_no: 2, template: vein },
    ]);
    // The terminal's own privilege (Pri=14, administrator) came with the user, as on OPERLOG.
    const [admin] = await t.ds.query(`SELECT ap.per_dev_auth FROM att_person ap JOIN person p ON p.id = ap.person_id WHERE p.pin = '8902'`);
    expect(admin).toEqual({ per_dev_auth: 14 });
    // A terminal whose first word to this gateway is such an upload (no initialisation yet: a server moved under it)
    // is a terminal by it, as by an ATTLOG or OPERLOG upload, and its user is enrolled, not kept raw as a panel's table.
    expect(await post('/iclock/cdata?SN=ATT-OWN-FIRST&table=USERINFO', 'USER PIN=8904\tName=First Word\tPri=0\n')).toBe('OK: 1');
    expect(await t.ds.query(`SELECT kind FROM device WHERE sn = 'ATT-OWN-FIRST'`)).toEqual([{ kind: 'att' }]);
    expect(await t.ds.query(`SELECT name FROM person WHERE pin = '8904'`)).toEqual([{ name: 'First Word' }]);
  });

  it('ID-card records (11.7): Type 0 lines are punches, their ID numbers kept; Type 1 verifications (success, failure, blacklist) are kept apart, never punches', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-IDC-1' });
    // The manual's example prints the TABs as spaces; a real terminal sends TABs. Both are read.
    const body = [
      '1452\t2026-03-05 08:00:00\t0\t1\t0\t0\t0\t210218199105072345\t0',
      '1452      2026-03-05 08:00:05   1   1   0   0   0   210218199105072345      1',
      '8965\t2026-03-05 08:00:06\t2\t2\t0\t0\t0\t21021819910307210X\t1',
      '8965\t2026-03-05 08:00:07\t0\t3\t0\t0\t0\t210218199103072104\t1',
      '1452\t2026-03-05 17:00:00\t1\t1\t\t0\t0',
    ].join('\r\n');
    const r = await term.uploadRaw('ATTLOG', `${body}\r\n`);
    expect(r.body).toBe('OK: 5');
    expect(await term.uploadRaw('ATTLOG', `${body}\r\n`).then((x) => x.body)).toBe('OK: 5');
    expect((await punchesOf(t, 'ATT-IDC-1')).map((p: { pin: string; at: string }) => `${p.pin} ${p.at}`)).toEqual(['1452 2026-03-05 02:30:00', '1452 2026-03-05 11:30:00']);
    const kept = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'ATT-IDC-1' AND table_name = 'ATTLOG.idcard' ORDER BY record->>'time'`);
    // The Type 0 line is a punch, and its ID number is kept beside it (the punch has no field for it).
    expect(kept.map((k: { record: unknown }) => k.record)).toEqual([
      { pin: '1452', time: '2026-03-05 08:00:00', idNum: '210218199105072345', result: 'attendance' },
      { pin: '1452', time: '2026-03-05 08:00:05', idNum: '210218199105072345', result: 'failure', status: '1', verify: '1' },
      { pin: '8965', time: '2026-03-05 08:00:06', idNum: '21021819910307210X', result: 'blacklist', status: '2', verify: '2' },
      { pin: '8965', time: '2026-03-05 08:00:07', idNum: '210218199103072104', result: 'success', status: '0', verify: '3' },
    ]);
  });

  it('ERRORLOG (11.16) and IDCARD (11.6) records are kept by their fields; a line without any is kept as sent', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ERR-1' });
    const additional = Buffer.from(JSON.stringify({ pin: '1452' })).toString('base64');
    const err = await term.uploadRaw('ERRORLOG', `ERRORLOG ErrCode=D01E0002\tErrMsg=face occluded\tDataOrigin=dev\tCmdId=\tAdditional=${additional}\ngarbage line\nERRORLOG ErrCode=D09E0001\tErrMsg=other\tDataOrigin=cmd\tCmdId=17\n`);
    expect(err.body).toBe('OK');
    const errs = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'ATT-ERR-1' AND table_name = 'ERRORLOG' ORDER BY id`);
    expect(errs.map((e: { record: unknown }) => e.record)).toEqual([
      { ErrCode: 'D01E0002', ErrMsg: 'face occluded', DataOrigin: 'dev', CmdId: '', Additional: additional, meaning: 'Face occlusion' },
      { line: 'garbage line' },
      { ErrCode: 'D09E0001', ErrMsg: 'other', DataOrigin: 'cmd', CmdId: '17' },
    ]);
    const idc = await term.uploadRaw('IDCARD', 'IDCARD PIN=1452\tSNNum=123\tIDNum=210218199105072345\tName=李四\tGender=1\n');
    expect(idc.body).toBe('OK: 1');
    const [card] = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'ATT-ERR-1' AND table_name = 'IDCARD'`);
    expect(card.record).toMatchObject({ PIN: '1452', IDNum: '210218199105072345', Name: '李四', Gender: '1' });
  });

  it('stores an attendance photo linked to its punch by terminal, PIN and time', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-PHOTO' });
    await term.punch({ pin: '1452', time: '2026-03-03 08:59:58', status: 0, verify: 15 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7]);
    const r = await term.uploadAttphoto('20260303085958-1452.jpg', jpeg);
    expect(r.body).toBe('OK');
    await term.uploadAttphoto('20260303085958-1452.jpg', jpeg);
    const rows = await t.ds.query(
      `SELECT ph.data, tr.pin FROM att_photo ph JOIN att_transaction tr ON tr.device_sn = ph.device_sn AND tr.pin = ph.pin AND tr.event_time = ph.photo_time WHERE ph.device_sn = 'ATT-PHOTO'`,
    );
    expect(rows).toHaveLength(1);
    expect(Buffer.compare(rows[0].data, jpeg)).toBe(0);
  });

  it('stores a photo sent as raw JPEG bytes (firmware without ATTPHOTOBase64), under cdata and fdata, byte for byte', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-PHOTO-BIN' });
    // Every byte value, the JPEG markers first: a UTF-8 reading would replace the invalid sequences.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xff, 0xd9])]);
    for (const [i, path] of (['/iclock/cdata', '/iclock/fdata'] as const).entries()) {
      const r = await term.uploadAttphoto(`2026030308595${i}-1453.jpg`, jpeg, { base64: false, path });
      expect(r.body).toBe('OK');
    }
    const rows = await t.ds.query(`SELECT data FROM att_photo WHERE device_sn = 'ATT-PHOTO-BIN' ORDER BY file_name`);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Buffer.compare(row.data, jpeg)).toBe(0);
  });

  it('a photo it cannot read (no PIN line, or no NUL before the data) is acknowledged and kept raw with its bytes, never dropped', async () => {
    await initialisedTerminal(t, { sn: 'ATT-PHOTO-BAD' });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x80, 0xff, 0xd9]);
    const post = (body: Buffer) => fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-PHOTO-BAD&table=ATTPHOTO&Stamp=7`, { method: 'POST', body }).then((r) => r.text());
    expect(await post(Buffer.concat([Buffer.from('SN=ATT-PHOTO-BAD\nsize=9\nCMD=uploadphoto\0'), jpeg]))).toBe('OK');
    expect(await post(Buffer.from('PIN=20260303085958-1452.jpg\nSN=ATT-PHOTO-BAD\nsize=9\nCMD=uploadphoto'))).toBe('OK');
    const kept = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'ATT-PHOTO-BAD' AND table_name = 'ATTPHOTO.rejected' ORDER BY id`);
    expect(kept.map((k: { record: unknown }) => k.record)).toEqual([
      { line: 'SN=ATT-PHOTO-BAD\nsize=9\nCMD=uploadphoto', reason: 'ATTPHOTO without PIN (file name)', data: jpeg.toString('base64') },
      { line: 'PIN=20260303085958-1452.jpg\nSN=ATT-PHOTO-BAD\nsize=9\nCMD=uploadphoto', reason: 'ATTPHOTO without data' },
    ]);
  });

  it('stores OPLOG operation records once', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-OPLOG' });
    const body = ['OPLOG 4\t0\t2026-03-04 10:22:34\t0\t0\t0\t0', 'OPLOG 5\t0\t2026-03-04 10:22:35\t26\t0\t0\t0'];
    expect((await term.uploadOperlog(body)).body).toBe('OK: 2');
    await term.uploadOperlog(body);
    const rows = await t.ds.query(`SELECT op_type, operands FROM att_operlog WHERE device_sn = 'ATT-OPLOG' ORDER BY op_time`);
    expect(rows).toEqual([
      { op_type: 4, operands: ['0', '0', '0', '0'] },
      { op_type: 5, operands: ['26', '0', '0', '0'] },
    ]);
    // An OpType no operation log can hold (damage) is refused and kept raw, not silently skipped.
    expect((await term.uploadOperlog(['OPLOG 99999999999\t0\t2026-03-04 10:22:36\t0\t0\t0\t0'])).body).toBe('OK: 0');
    const raw = await t.ds.query(`SELECT record->>'reason' AS reason FROM device_upload WHERE device_sn = 'ATT-OPLOG' AND table_name = 'OPERLOG.rejected'`);
    expect(raw).toEqual([{ reason: 'OPLOG OpType out of range' }]);
  });

  it('keeps a comparison photo (BIOPHOTO, 11.15) raw, once, beside the records of its upload', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-BIOPHOTO' });
    const photo = Buffer.from('visible light photo of 8901').toString('base64');
    const lines = [`BIOPHOTO PIN=8901\tFileName=9_8901.jpg\tType=9\tSize=${photo.length}\tContent=${photo}`, 'OPLOG 4\t0\t2026-03-04 10:22:40\t0\t0\t0\t0'];
    expect((await term.uploadOperlog(lines)).body).toBe('OK: 2');
    expect((await term.uploadOperlog(lines)).body).toBe('OK: 2');
    const rows = await t.ds.query(`SELECT table_name, record FROM device_upload WHERE device_sn = 'ATT-BIOPHOTO' AND table_name LIKE 'OPERLOG%'`);
    expect(rows).toEqual([{ table_name: 'OPERLOG.BIOPHOTO', record: { pin: '8901', fileName: '9_8901.jpg', type: '9', content: photo } }]);
  });

  it('answers a unified-template upload OK:<n> (11.12) and an upload of comparison photos alone OK (11.15), as the manual prints them', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ANSWERS' });
    const tmp = Buffer.from('finger template of 8911').toString('base64');
    const biodata = `BIODATA Pin=8911\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${tmp}\n`;
    // 11.12: "OK:${XXX}" in its text and its example ("OK:1", Content-Length: 4), no blank after the colon.
    expect((await term.uploadRaw('BIODATA', biodata)).body).toBe('OK:1');
    expect((await term.uploadRaw('BIODATA', biodata)).body).toBe('OK:1');
    const held = await t.ds.query(`SELECT bt.template_no FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = '8911'`);
    expect(held).toEqual([{ template_no: 6 }]);
    // 11.15: comparison photos on OPERLOG are answered "OK"; the other OPERLOG records keep "OK: <n>" (11.4, 11.5).
    const photo = Buffer.from('visible light photo of 8911').toString('base64');
    const bioPhoto = `BIOPHOTO PIN=8911\tFileName=9_8911.jpg\tType=9\tSize=${photo.length}\tContent=${photo}`;
    expect((await term.uploadOperlog([bioPhoto])).body).toBe('OK');
    expect((await term.uploadOperlog(['OPLOG 4\t0\t2026-03-04 10:22:41\t0\t0\t0\t0'])).body).toBe('OK: 1');
    // The punches keep the answer 11.2 prints.
    expect((await term.uploadAttlog([{ pin: '8911', time: '2026-03-04 10:23:00', status: 0, verify: 1 }])).body).toBe('OK: 1');
  });

  it('a template line whose FID, No, Index, Type or version no slot can hold is refused alone: the good templates beside it are stored, finger 0 is not overwritten', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ING-SLOTS' });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const fp = (fid: string, tmp: string) => `FP PIN=8701\tFID=${fid}\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`;
    expect((await term.uploadOperlog(['USER PIN=8701\tName=Slots\tPri=0', fp('0', b64('finger 0'))])).body).toBe('OK: 2');
    // 11.9/11.10/11.11/11.12 as firmware garbles them: numbers past the smallint slots failed the whole upload in the
    // database (400, nothing stored, the batch resent forever); FID=x or FID= was read as finger 0 and replaced it.
    const body = [
      fp('3', b64('finger 3')),
      fp('70000', b64('finger seventy thousand')),
      fp('x', b64('not finger 0')),
      fp('', b64('not finger 0 either')),
      `FACE PIN=8701\tFID=99999\tSIZE=4\tVALID=1\tTMP=${b64('face')}`,
      `FVEIN Pin=8701\tFID=1\tIndex=99999\tSize=4\tValid=1\tTmp=${b64('vein')}`,
      `BIODATA Pin=8701\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=9999999999\tMinorVer=0\tFormat=0\tTmp=${b64('face v')}`,
      `BIODATA Pin=8701\tNo=5\tIndex=0\tValid=1\tDuress=0\tType=70000\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${b64('palm')}`,
      fp('4', b64('finger 4')),
    ];
    expect((await term.uploadOperlog(body)).body).toBe('OK: 2');
    const fingers = await t.get('/api/v2/bioTemplate/getFgListByPin/8701');
    expect(fingers.body.data.map((f: { templateNo: string; template: string }) => [f.templateNo, f.template])).toEqual([
      ['0', b64('finger 0')],
      ['3', b64('finger 3')],
      ['4', b64('finger 4')],
    ]);
    const refused = await t.get('/api/gateway/attendance/terminals/ATT-ING-SLOTS/uploads', { table: 'OPERLOG.rejected' });
    expect(refused.body.data.map((r: { record: { reason: string } }) => r.record.reason).sort()).toEqual([
      'BIODATA MajorVer=9999999999 is no number 0-2147483647',
      'BIODATA Type=70000 is no number 0-32767',
      'FACE FID=99999 is no number 0-32767',
      'FP FID=70000 is no number 0-32767',
      'FP FID=x is no number 0-32767',
      'FP without FID',
      'FVEIN Index=99999 is no number 0-32767',
    ]);
  });

  it('a USER, template or photo line whose PIN no person can have (past 64 characters) is refused alone, and the same upload sent again is answered alike', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ING-LONGPIN' });
    const long = '8'.repeat(65);
    const tmp = Buffer.from('finger of a long pin').toString('base64');
    const body = [
      `USER PIN=${long}\tName=Too Long\tPri=0`,
      `FP PIN=${long}9\tFID=1\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`,
      `USERPIC PIN=${long}7\tFileName=x.jpg\tSize=${tmp.length}\tContent=${tmp}`,
      'USER PIN=8702\tName=Short\tPri=0',
    ];
    // Before, each long PIN's person was created cut to 64 characters and not found by the full PIN next time: the
    // same upload resent (a reply lost) created it again, and the unique PIN failed the whole upload, 400, for ever.
    for (let i = 0; i < 2; i++) expect((await term.uploadOperlog(body)).body).toBe('OK: 1');
    expect((await t.get('/api/person/get/8702')).body.data).toMatchObject({ pin: '8702', name: 'Short' });
    expect(await t.ds.query(`SELECT pin FROM person WHERE pin LIKE '8888%'`)).toEqual([]);
    const refused = await t.get('/api/gateway/attendance/terminals/ATT-ING-LONGPIN/uploads', { table: 'OPERLOG.rejected' });
    // Kept once each, the resend adding none.
    expect(refused.body.data.map((r: { record: { reason: string } }) => r.record.reason).sort()).toEqual(['FP with an unusable PIN', 'USER with an unusable PIN', 'USERPIC with an unusable PIN']);
  });

  it('reads a data packet (11.14, ContentType=tgz): the users and templates it holds are stored, once', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-PACKET' });
    const tmp = Buffer.from('finger of packed user 8801').toString('base64');
    const lines = [
      'USER PIN=8801\tName=Packed One\tPri=0\tPasswd=\tCard=89776433\tGrp=1\tTZ=0001000100000000\tVerify=-1\tViceCard=123456789',
      `FP PIN=8801\tFID=1\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`,
      'USER PIN=8802\tName=Packed Two\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0001000100000000\tVerify=-1\tViceCard=',
    ];
    const r = await term.uploadPacket('OPERLOG', lines);
    // 11.14 prints the packet's answer without the blank: `OK:${XXX}`.
    expect([r.status, r.body]).toEqual([200, 'OK:3']);
    const persons = await t.ds.query(`SELECT pin, name, card_no FROM person WHERE pin IN ('8801', '8802') ORDER BY pin`);
    expect(persons).toEqual([
      { pin: '8801', name: 'Packed One', card_no: '89776433' },
      { pin: '8802', name: 'Packed Two', card_no: null },
    ]);
    const templates = await t.ds.query(`SELECT bt.template_no, bt.template FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = '8801'`);
    expect(templates).toEqual([{ template_no: 1, template: tmp }]);
    // A plain gzip stream (no tar inside) and an ATTLOG packet are read the same way; a resend adds nothing.
    const punches = ['8801\t2026-03-05 09:00:00\t0\t1\t0\t0\t0', '8802\t2026-03-05 09:00:05\t1\t1\t0\t0\t0'];
    expect((await term.uploadPacket('ATTLOG', punches, { tar: false })).body).toBe('OK:2');
    expect((await term.uploadPacket('ATTLOG', punches)).body).toBe('OK:2');
    expect((await punchesOf(t, 'ATT-PACKET')).map((p: { pin: string; at: string }) => [p.pin, p.at])).toEqual([
      ['8801', '2026-03-05 03:30:00'],
      ['8802', '2026-03-05 03:30:05'],
    ]);
  });
});
