import { describe, expect, it } from 'vitest';
import { readSpecJson } from './testing/spec-files';
import { chooseDialect, parseCapabilities, parseRegistrationBody } from './registry';
import { parseDeviceCmd, resultContentMap } from './devicecmd';
import { parseRtlog, parseRtstate } from './rtlog';
import { formatUploadReply, parseQueryData, parseTableData, parseUploadQuery, receivedCount } from './tabledata';
import { parseInitQuery } from './handshake';
import { parseCommaList, parseTabRecord, splitLines } from './kv';
import { returnMeaning } from './tables';
import { interpretReturn } from './devicecmd';

interface Sample {
  id: string;
  kind: string;
  dialect: string;
  request: { method: string | null; path: string | null; query: string | null; body: string | null } | null;
  response: { status?: number; body?: string } | null;
  command?: string;
  returnCode?: number;
}
const { samples } = readSpecJson<{ samples: Sample[] }>('field-samples.json');
const of = (kind: string) => samples.filter((s) => s.kind === kind).map((s) => [s.id, s] as const);
const byId = Object.fromEntries(samples.map((s) => [s.id, s]));

describe('field samples: registration bodies', () => {
  it.each(of('registration'))('%s parses into params and capabilities', (_id, s) => {
    const { params, capabilities } = parseRegistrationBody(s.request!.body!);
    expect(params.size).toBeGreaterThanOrEqual(3);
    expect(capabilities.deviceType).toBe('acc');
    expect(capabilities.firmVer).toBe(params.text('FirmVer'));
    expect(() => chooseDialect(capabilities)).not.toThrow();
  });

  it('C3 FirmVer with spaces and an empty authKey before the trailing LF', () => {
    const { params, capabilities } = parseRegistrationBody(byId['reg-c3-100pro-acc'].request!.body!);
    expect(capabilities.firmVer).toBe('AC Ver 4.7.8.3033 Aug 14 2023');
    expect(params.get('authKey')).toBe('');
  });

  it('model name with [TI] and the author-elided FirmVer stay verbatim', () => {
    const { capabilities } = parseRegistrationBody(byId['reg-speedface-v5l-rfid-ti-acc'].request!.body!);
    expect(capabilities.deviceName).toBe('SpeedFace-V5L-RFID[TI]');
    expect(capabilities.firmVer).toBe('ZAM180...');
    expect(capabilities.ipAddress).toBe('192.168.1.201');
  });

  it('PushVersion "Ver 3.0.4S-20240809" reads as 3.0.4', () => {
    expect(parseRegistrationBody(byId['reg-senseface2a-acc'].request!.body!).capabilities.pushVersion).toEqual([3, 0, 4]);
    expect(parseRegistrationBody(byId['reg-speedface-v5l-zam230-fragment'].request!.body!).capabilities.pushVersion).toEqual([3, 1, 6]);
  });

  it('the hybrid protocol a registration announces decides biodata, not its PushVersion: the manual-copy body (2.0.22) with MultiBioDataSupport is on biodata', () => {
    const { capabilities } = parseRegistrationBody(byId['reg-bioface-a1-manual-copy'].request!.body!);
    expect(capabilities.multiBioDataSupport?.types).toEqual([8, 9]);
    expect(chooseDialect(capabilities)).toMatchObject({ bio: 'biodata', bioTypes: [8, 9] });
  });

  it('a 3.1.2S device with MultiBioDataSupport uses biodata for fingerprint and visible-light face', () => {
    const caps = parseCapabilities(parseCommaList(byId['opt-senseface2a-zam70-3312'].request!.body!));
    const d = chooseDialect(caps);
    expect(d.bio).toBe('biodata');
    expect(d.bioTypes).toEqual([1, 9]);
    expect(d.photo).toBe('biophoto');
  });

  it('a PushVersion 2.0.33S options body without MultiBio keys falls back to templatev10 + userpic', () => {
    const caps = parseCapabilities(parseCommaList(byId['opt-speedface-v5l-zam180'].request!.body!));
    expect(chooseDialect(caps)).toMatchObject({ bio: 'templatev10', photo: 'userpic' });
  });
});

describe('field samples: handshake queries', () => {
  it.each(of('handshake-query'))('%s', (_id, s) => {
    const q = parseInitQuery(s.request!.query!);
    expect(q.sn).toMatch(/^[A-Z0-9]+$/);
    expect(q.options).toBe('all');
    expect(q.pushver).toMatch(/^2\.4\.[01]$/);
    expect(q.pushOptionsFlag).toBe(true);
  });

  it('DeviceType=middle%20east is URL-decoded and kept (it is neither acc nor att)', () => {
    expect(parseInitQuery(byId['hs-bock-middle-east'].request!.query!).deviceType).toBe('middle east');
  });
});

describe('field samples: options uploads', () => {
  it.each(of('options'))('%s keeps ~OEMVendor with its comma', (_id, s) => {
    const m = parseCommaList(s.request!.body!);
    expect(m.get('~OEMVendor')).toBe('ZKTECO CO., LTD.');
    expect(m.fields.some((f) => f.key.trim() === 'LTD.')).toBe(false);
    expect(m.get('RegDeviceType')).toBe('');
  });

  it('QRCodeDecryptFunList=010 keeps its leading zero', () => {
    expect(parseCommaList(byId['opt-speedface-v5l-zam180'].request!.body!).get('QRCodeDecryptFunList')).toBe('010');
  });

  it('lower-case wgRuleVer is found by WGRuleVer', () => {
    expect(parseCommaList(byId['opt-senseface2a-zam70-3312'].request!.body!).has('WGRuleVer')).toBe(true);
  });
});

describe('field samples: devicecmd bodies', () => {
  const expected: Record<string, Array<{ id: string; returnCode: number; cmd: string }>> = {
    'cmd-info-biopro-sa40': [{ id: '26', returnCode: 0, cmd: 'INFO' }],
    'cmd-info-speedface-v5l-zam230-trimmed': [{ id: '10', returnCode: 0, cmd: 'INFO' }],
    'cmd-info-speedface-v5l-zam180-short': [{ id: '1', returnCode: 0, cmd: 'INFO' }],
    'cmd-batched-zam180': [
      { id: '1', returnCode: 0, cmd: 'DATA' },
      { id: '2', returnCode: 0, cmd: 'DATA' },
      { id: '3', returnCode: 0, cmd: 'CHECK' },
    ],
    'cmd-shell-multiline-zam180': [{ id: '32', returnCode: 0, cmd: 'Shell' }],
    'cmd-shell-biopro-sn-filename': [{ id: '27', returnCode: 0, cmd: 'Shell' }],
    'cmd-data-after-info-biopro': [{ id: '28', returnCode: 0, cmd: 'DATA' }],
  };
  it.each(of('devicecmd'))('%s', (id, s) => {
    const r = parseDeviceCmd(s.request!.body!);
    expect(r.rejected).toEqual([]);
    expect(r.results.map(({ id, returnCode, cmd }) => ({ id, returnCode, cmd }))).toEqual(expected[id]);
  });

  it('INFO content lines become a map, not results', () => {
    const r = parseDeviceCmd(byId['cmd-info-biopro-sa40'].request!.body!).results[0];
    const info = resultContentMap(r);
    expect(info.get('DeviceName')).toBe('Biopro SA40');
    expect(info.get('PvCount')).toBe('-1');
    expect(info.get('~OEMVendor')).toBe('ZKTECO CO., LTD.');
  });

  it('multi-line form keeps Content with spaces and colons, SN and FILENAME', () => {
    const a = parseDeviceCmd(byId['cmd-shell-multiline-zam180'].request!.body!).results[0];
    expect(a.content).toBe('Tue Mar 24 16:12:26 GMT 2026');
    const b = parseDeviceCmd(byId['cmd-shell-biopro-sn-filename'].request!.body!).results[0];
    expect(b).toMatchObject({ sn: 'CQZ7231360296', content: '1|Delta|0', fields: expect.objectContaining({ FILENAME: 'shellout.txt' }) });
  });
});

describe('field samples: Return codes', () => {
  it.each(of('return-code'))('%s', (_id, s) => {
    const rc = s.returnCode!;
    const body = s.request?.body ?? `ID=7&Return=${rc}&CMD=DATA`;
    const r = parseDeviceCmd(body);
    expect(r.rejected).toEqual([]);
    expect(r.results[0].returnCode).toBe(rc);
    if (rc >= 0) expect(r.results[0].meaning).toBe('Successful');
    // Codes outside the Security appendix (-1002, -1004, -1001) carry the Attendance PUSH appendix's meaning.
    if (rc === -1002 || rc === -1004 || rc === -1001) expect(returnMeaning(rc)).toBe(returnMeaning(rc, 'attendance'));
    expect(r.results[0].meaning).toEqual(expect.any(String));
  });

  it('16-hex command ids are echoed unchanged', () => {
    expect(parseDeviceCmd(byId['rc-iface950-fingertmp-12'].request!.body!).results[0]).toMatchObject({ id: '1adbb1dba3534aaf', returnCode: -12 });
  });

  it('DATA QUERY Return=4 is a record count, not an error', () => {
    expect(interpretReturn(byId['rc-sf2a-table-query-rowcount'].returnCode!, 'DATA QUERY')).toMatchObject({ ok: true, recordCount: 4 });
  });

  it('-5000 is pending (sub-controller), not success or failure', () => {
    expect(interpretReturn(-5000, 'DATA UPDATE')).toMatchObject({ ok: false, pending: true });
  });
});

describe('field samples: rtlog and rtstate shapes', () => {
  it('SenseFace 2A punch: 13 keys, CRLF', () => {
    const r = parseRtlog(byId['rtlog-senseface2a-punch'].request!.body!);
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ kind: 'event', pin: '771966', personPin: '771966', event: 3, verifyType: 1, index: 40, temperature: 0 });
  });

  it('door-state row on table=rtlog is a state row, not a rejected event', () => {
    const r = parseRtlog(byId['rtlog-senseface2a-door-row'].request!.body!);
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ kind: 'state', sensor: '02', relay: '00', alarm: '0100000000000000', door: '01' });
    const row = r.results[0];
    if (row.kind !== 'state') throw new Error('state');
    expect(row.doors[0]).toMatchObject({ door: 1, sensor: 'open', relay: 0, alarmByte: 1, alarms: ['Accidental door opening'] });
  });

  it('two events, LF endings; event 27 with pin=0 is a non-person event', () => {
    const r = parseRtlog(byId['rtlog-speedface-v3l-two-lines'].request!.body!);
    expect(r.results.map((e) => (e.kind === 'event' ? [e.index, e.event, e.personPin] : null))).toEqual([
      [13355, 0, '30011478'],
      [13357, 27, null],
    ]);
  });

  it('C3 pull record with an extra type= key still parses as an event', () => {
    expect(parseRtlog(byId['rtlog-c3-200-pull-format'].request!.body!).results[0]).toMatchObject({ kind: 'event', event: 205, inOutStatus: 2, verifyType: 200, index: 406376 });
  });

  it('C3 rtstate: 8-digit alarm = 4 doors, relay bit 0 = door 1', () => {
    const r = parseRtlog(byId['rtstate-c3-200-pull-format'].request!.body!);
    const row = r.results[0];
    if (row.kind !== 'state') throw new Error('state');
    expect(row.doors).toHaveLength(4);
    expect(row.doors.map((d) => d.relay)).toEqual([1, 0, 0, 0]);
  });

  it.each(of('rtstate'))('%s: 16-digit alarm and door=', (_id, s) => {
    const r = parseRtstate(s.request!.body!, { doorCount: 1 });
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ sensor: '01', door: '01', doors: [{ door: 1, sensor: 'closed', relay: 0, alarmByte: 0, alarms: [] }] });
  });
});

describe('field samples: uploads', () => {
  it('user tabledata: prefix on every line, uid is not the pin, ack user=3', () => {
    const s = byId['up-user-senseface2a-tabledata'];
    const q = parseUploadQuery(s.request!.query!);
    const r = parseTableData(q.tableName!, s.request!.body!);
    expect(r.results.map((u) => (u.kind === 'user' ? [u.uid, u.pin, u.name, u.cardNo] : null))).toEqual([
      [13, '771962', 'Alpha', '5170382'],
      [14, '771900', 'Bravo', '6402917'],
      [15, '777', 'Charlie', null],
    ]);
    expect(formatUploadReply(q, receivedCount(r))).toBe(s.response!.body);
  });

  it('biodata: count=3 in the query but two lines: the ack counts lines', () => {
    const s = byId['up-biodata-senseface2a'];
    const q = parseUploadQuery(s.request!.query!);
    const r = parseTableData(q.tableName!, s.request!.body!);
    expect(r.results.map((x) => (x.kind === 'biodata' ? [x.type, x.no, x.majorVer, x.minorVer] : null))).toEqual([
      [1, 6, 13, 0],
      [9, 0, 40, 1],
    ]);
    expect(formatUploadReply(q, receivedCount(r))).toBe('biodata=2');
  });

  it.each(of('upload'))('%s never throws and keeps every line (good or rejected)', (_id, s) => {
    const q = parseUploadQuery(s.request!.query!);
    const r = parseTableData(q.tableName ?? q.table ?? '', s.request!.body!);
    expect(receivedCount(r)).toBe(splitLines(s.request!.body!).length);
  });

  it('OPERLOG USER line is keyed (prefix USER), FP/OPLOG lines are kept raw', () => {
    expect(parseTabRecord(byId['up-operlog-user-biopro'].request!.body!).prefix).toBe('USER');
  });
});

describe('field samples: querydata', () => {
  it.each(of('querydata'))('%s query parses', (_id, s) => {
    const d = parseQueryData(s.request!.query!, s.request!.body ?? '');
    expect(['tabledata', 'count', 'options']).toContain(d.type);
    if (s.response?.body) expect(formatUploadReply(parseUploadQuery(s.request!.query!), 3)).toBe(s.response.body);
  });
});
