import { describe, expect, it } from 'vitest';
import { parseCommaList, parseQuery, parseTabRecord, splitLines } from './kv';
import { parseRtlog, parseRtstate, decodeDoorStates } from './rtlog';
import { parseDeviceCmd, parseDeviceCmdRequest } from './devicecmd';
import { parseTableData, parseAccountPackage, parseQueryData } from './tabledata';
import { parseRegistrationBody, parseMultiBioList, chooseDialect, parseCapabilities } from './registry';
import { KvMap } from './kv';

describe('key/value quirks', () => {
  it('parses by key, never by position: reordered rtlog fields read the same', () => {
    const a = parseRtlog('time=2026-01-01 08:00:00\tpin=7\tevent=0\tindex=5').results[0];
    const b = parseRtlog('index=5\tevent=0\tpin=7\ttime=2026-01-01 08:00:00').results[0];
    expect(b).toMatchObject({ pin: '7', event: 0, index: 5, time: '2026-01-01 08:00:00' });
    expect({ ...a, fields: null }).toEqual({ ...b, fields: null });
  });

  it('~DeviceName key keeps comma value and both raw and normalised keys', () => {
    const m = parseCommaList('~DeviceName=Gate 1, north,FirmVer=x');
    expect(m.fields[0]).toEqual({ rawKey: '~DeviceName', key: 'DeviceName', value: 'Gate 1, north' });
    expect(m.get('devicename')).toBe('Gate 1, north');
    expect(m.get('~DEVICENAME')).toBe('Gate 1, north');
  });

  it('values may contain = (base64 padding, filters)', () => {
    expect(parseTabRecord('biodata pin=1\ttmp=QUJD==').map.get('tmp')).toBe('QUJD==');
  });

  it('case-insensitive lookup: upload pin, command Pin, PIN', () => {
    const m = parseTabRecord('pin=1\tCardNo=2\tPIN=3').map;
    expect(m.get('Pin')).toBe('1');
    expect(m.get('cardno')).toBe('2');
  });

  it('CRLF endings', () => {
    const r = parseRtlog('time=2026-01-01 08:00:00\tpin=1\tevent=0\tindex=1\r\ntime=2026-01-01 08:00:01\tpin=2\tevent=0\tindex=2\r\n');
    expect(r.results.map((e) => e.kind === 'event' && e.pin)).toEqual(['1', '2']);
    expect(r.results[1].fields['index']).toBe('2');
  });

  describe('a lone CR ends a line like LF and CR LF (no value can hold a CR): every record between them is read', () => {
    const ev = (i: number) => `time=2026-01-01 08:00:0${i}\tpin=${i}\tevent=0\tindex=${i}`;

    it('rtlog: three events, none run into another', () => {
      const r = parseRtlog([ev(1), ev(2), ev(3)].join('\r'));
      expect(r.rejected).toEqual([]);
      expect(r.results.map((e) => [e.lineNo, e.fields['index'], e.fields['time']])).toEqual([
        [1, '1', '2026-01-01 08:00:01'],
        [2, '2', '2026-01-01 08:00:02'],
        [3, '3', '2026-01-01 08:00:03'],
      ]);
    });

    it('a bad line between lone CRs is rejected alone; LF, CR LF, CR and CR CR LF mixed in one body', () => {
      const r = parseRtlog(`${ev(1)}\rgarbage\r${ev(2)}\r\r\n${ev(3)}\n${ev(4)}\r\n${ev(5)}\r`);
      expect(r.results.map((e) => [e.lineNo, e.fields['index']])).toEqual([[1, '1'], [3, '2'], [4, '3'], [5, '4'], [6, '5']]);
      expect(r.rejected).toEqual([expect.objectContaining({ lineNo: 2, line: 'garbage' })]);
    });

    it('rtstate, table uploads, querydata records, devicecmd results', () => {
      const st = (d: number) => `time=2026-01-01 08:00:00\tsensor=0${d}\trelay=00\talarm=00`;
      expect(parseRtstate([st(1), st(2), st(3)].join('\r')).results).toHaveLength(3);
      const users = [1, 2, 3].map((p) => `user uid=${p}\tpin=${p}\tname=U${p}\tprivilege=0`).join('\r');
      expect(parseTableData('user', users).results.map((u) => u.fields['name'])).toEqual(['U1', 'U2', 'U3']);
      const q = parseQueryData('type=tabledata&tablename=user&count=3&packcnt=1&packidx=1&cmdid=9', users);
      expect(q.kind === 'records' && q.records.results.map((u) => u.fields['pin'])).toEqual(['1', '2', '3']);
      const cmd = parseDeviceCmd('ID=1&Return=0&CMD=DATA\rID=2&Return=-1&CMD=DATA\rID=3&Return=0&CMD=DATA');
      expect(cmd.results.map((c) => [c.id, c.returnCode])).toEqual([['1', 0], ['2', -1], ['3', 0]]);
    });

    it('splitLines: no CR is left in a line; CRs before an LF are one line end', () => {
      expect(splitLines('a=1\rb=2\r\r\nc=3\r\rd=4\0\r')).toEqual([
        { text: 'a=1', lineNo: 1 },
        { text: 'b=2', lineNo: 2 },
        { text: 'c=3', lineNo: 3 },
        { text: 'd=4', lineNo: 5 },
      ]);
    });
  });

  it('space-separated fields (manual print, some tools) keep spaces inside values', () => {
    const r = parseRtlog('time=2017-01-10 11:49:32 pin=0 cardno=0 eventaddr=1 event=27 inoutstatus=1 verifytype=0 index=21');
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ time: '2017-01-10 11:49:32', event: 27, index: 21 });
  });

  it('stray spaces around keys are tolerated; values keep theirs', () => {
    const m = parseTabRecord('pin=1\t name= Zhang San \t cardno =5').map;
    expect(m.get('name')).toBe(' Zhang San ');
    expect(m.text('name')).toBe('Zhang San');
    expect(m.get('cardno')).toBe('5');
  });

  it('a TAB before the record is no part of its table prefix (an OPERLOG `\\tFP PIN=` line was refused as FP without PIN)', () => {
    const r = parseTabRecord('\tFP PIN=7\tFID=1\tSize=4\tValid=1\tTMP=QUJD', 'FP');
    expect(r.prefix).toBe('FP');
    expect(r.map.get('pin')).toBe('7');
    expect(parseTabRecord(' \t USER PIN=8\tName=Ann').map.get('name')).toBe('Ann');
  });

  it('trailing TAB and empty fields do not create bogus keys', () => {
    const { map, bare } = parseTabRecord('pin=1\t\tname=\t');
    expect(map.fields.map((f) => f.key)).toEqual(['pin', 'name']);
    expect(map.get('name')).toBe('');
    expect(bare).toEqual([]);
  });

  it('table prefix fused to the first key (biodatapin=, as the 7.11 format prints it)', () => {
    const r = parseTableData('biodata', 'biodatapin=1\tno=0\ttype=1\ttmp=AA');
    expect(r.results[0]).toMatchObject({ pin: '1', prefix: 'biodata' });
    expect(parseTableData('DeviceAuthorize', 'DeviceAuthorizeSN=ABC\tIsAuthorize=2').results[0].fields).toEqual({ SN: 'ABC', IsAuthorize: '2' });
  });

  it('a record of another table inside a table upload is rejected, not re-typed', () => {
    const r = parseTableData('user', 'user pin=1\nbiodata pin=1\ttype=1\ttmp=A');
    expect(r.results).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ lineNo: 2, reason: expect.stringContaining('biodata') });
  });

  it('GBK/invalid UTF-8 bytes do not drop the record (U+FFFD survives)', () => {
    const name = '\uFFFD\uFFFD\u5F20\uFFFD';
    const r = parseTableData('user', `user uid=1\tpin=9\tname=${name}\tprivilege=0`);
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ pin: '9', name });
    const e = parseRtlog(`time=2026-01-01 08:00:00\tpin=\uFFFD1\tevent=0`).results[0];
    expect(e).toMatchObject({ pin: '\uFFFD1' });
  });

  it('trailing NUL padding is dropped; NUL inside the ACCOUNT body separates header and data', () => {
    expect(splitLines('pin=1\0\0\n')[0].text).toBe('pin=1');
    expect(parseAccountPackage('name=transaction.tgz\nsize=3\ndatacode=base64\ndatatype=tgz\0QUJD\n')).toMatchObject({ size: 3, data: 'QUJD' });
  });

  it('query strings: case-insensitive names, URL-decoded values', () => {
    const q = parseQuery('sn=A1&TableName=user&DeviceType=middle%20east');
    expect(q.get('SN')).toBe('A1');
    expect(q.get('tablename')).toBe('user');
    expect(q.get('devicetype')).toBe('middle east');
  });

  it('query strings: NUL padding (C firmware) is no part of a value, decoded or given parsed', () => {
    const q = parseQuery('SN=A1&pushver=2.4.1%00&INFO=Ver%206%00%00,5');
    expect([q.get('pushver'), q.get('INFO')]).toEqual(['2.4.1', 'Ver 6,5']);
    expect(parseQuery({ SN: 'A1\0', language: ['69\0'] }).toObject()).toEqual({ SN: 'A1', language: '69' });
  });

  it('KvMap.int never yields NaN', () => {
    const m = new KvMap([{ rawKey: 'a', key: 'a', value: '12x' }]);
    expect(m.int('a')).toBeNull();
    expect(m.int('missing')).toBeNull();
  });
});

describe('rtlog quirks', () => {
  it('a bad line does not sink the batch', () => {
    const r = parseRtlog('time=2026-01-01 08:00:00\tpin=1\tevent=0\ngarbage\ntime=nope\tevent=1\ntime=2026-01-01 08:00:02\tpin=2\tevent=1\n');
    expect(r.results.map((e) => e.kind === 'event' && e.pin)).toEqual(['1', '2']);
    expect(r.rejected.map((x) => x.lineNo)).toEqual([2, 3]);
    expect(r.rejected[1].reason).toContain('bad time');
  });

  it('impossible dates are rejected (Feb 30)', () => {
    expect(parseRtlog('time=2026-02-30 08:00:00\tevent=0').rejected).toHaveLength(1);
  });

  it('an event line without event= is rejected with a reason', () => {
    expect(parseRtlog('time=2026-01-01 08:00:00\tpin=1').rejected[0].reason).toBe('missing event');
  });

  it('16-char verifytype bit string is not read as a number', () => {
    const e = parseRtlog('time=2026-01-01 08:00:00\tevent=0\tverifytype=0000101000000011').results[0];
    expect(e).toMatchObject({ verifyType: null, verifyBits: '0000101000000011' });
  });

  it('temperature decimals and bitCount/Alarmtype by any case', () => {
    const e = parseRtlog('time=2026-01-01 08:00:00\tevent=0\ttemperature=36.2\tconvtemperature=97.1\tbitCount=26\tAlarmtype=200').results[0];
    expect(e).toMatchObject({ temperature: 36.2, convTemperature: 97.1, bitCount: 26, alarmType: 200 });
  });

  it('alarm 16 hex digits on terminals, 8 on C3 panels', () => {
    expect(decodeDoorStates({ alarm: '0200000000000000' })).toHaveLength(8);
    expect(decodeDoorStates({ alarm: '00000200' })[2]).toMatchObject({ door: 3, alarmByte: 2, alarms: ['Tamper alarm'] });
  });

  it('sensor: two bits per door, AA = doors 1-4, BB = doors 5-8', () => {
    // 0x9 = 10 01 → door 1 closed (01), door 2 open (10); 0x01 in BB → door 5 closed.
    const d = decodeDoorStates({ sensor: '0901' }, 5);
    expect(d.map((x) => x.sensor)).toEqual(['closed', 'open', 'none', 'none', 'closed']);
  });

  it('rtstate with non-hex sensor is rejected', () => {
    expect(parseRtstate('time=2026-01-01 08:00:00\tsensor=zz\trelay=00').rejected[0].reason).toContain('sensor');
  });
});

describe('devicecmd quirks', () => {
  it('devicecmd line without Return is rejected', () => {
    const r = parseDeviceCmd('ID=5&CMD=DATA');
    expect(r.results).toEqual([]);
    expect(r.rejected[0]).toMatchObject({ lineNo: 1, reason: 'missing Return' });
  });

  it('a non-numeric Return is rejected, not success', () => {
    expect(parseDeviceCmd('ID=5&Return=ok&CMD=DATA').rejected[0].reason).toContain('bad Return');
  });

  it('lower-case return= is read', () => {
    expect(parseDeviceCmd('ID=295&return=0&CMD=DATA UPDATE').results[0]).toMatchObject({ id: '295', returnCode: 0 });
  });

  it('ACCOUNT result keeps the bare transaction token and its fields', () => {
    const r = parseDeviceCmd('ID=291&Return=41&CMD=ACCOUNT&transaction&StartTime=&EndTime=&RecordSum=41').results[0];
    expect(r).toMatchObject({ returnCode: 41, cmd: 'ACCOUNT', bare: ['transaction'], fields: expect.objectContaining({ RecordSum: '41' }) });
  });

  it('sub-controller results carry SN', () => {
    expect(parseDeviceCmd('ID=3&Return=-5000&CMD=DATA&SN=SUB1').results[0]).toMatchObject({ sn: 'SUB1', returnCode: -5000 });
  });

  it('a result in the query (GET, attendance manual 13) is read URL-decoded, without the terminal SN', () => {
    const r = parseDeviceCmdRequest(parseQuery('SN=H5Q1&ID=77&Return=-1002&CMD=DATA%20UPDATE'), '');
    expect(r.rejected).toEqual([]);
    expect(r.results).toEqual([expect.objectContaining({ id: '77', returnCode: -1002, cmd: 'DATA UPDATE', sn: null, fields: { ID: '77', Return: '-1002', CMD: 'DATA UPDATE' } })]);
  });

  it('a request with a body is read from its body alone; a bad query Return of a bodiless request is rejected', () => {
    const body = 'ID=1&Return=0&CMD=DATA\nID=2&Return=0&CMD=DATA';
    // A POST whose URL carries an ID= of its own beside its results: the body's results are the request's.
    expect(parseDeviceCmdRequest(parseQuery('SN=H5Q1&ID=3&Return=0'), body)).toEqual(parseDeviceCmd(body));
    expect(parseDeviceCmdRequest(parseQuery('SN=H5Q1&ID=4&Return=ok'), body).rejected).toEqual([]);
    const bad = parseDeviceCmdRequest(parseQuery('SN=H5Q1&ID=4&Return=ok'), '');
    expect(bad.results).toEqual([]);
    expect(bad.rejected).toEqual([{ line: 'ID=4&Return=ok', lineNo: 0, reason: 'bad Return "ok" (query)' }]);
    // A query without ID= is no result (the POST form's `?SN=` alone).
    expect(parseDeviceCmdRequest(parseQuery('SN=H5Q1'), '')).toEqual({ results: [], rejected: [] });
  });

  it('values are not URL-decoded (+ and % are literal)', () => {
    expect(parseDeviceCmd('ID=1&Return=0&CMD=a+b%20c').results[0].cmd).toBe('a+b%20c');
  });

  it('batched results mixed with a result lacking Return keep the good ones', () => {
    const r = parseDeviceCmd('ID=1&Return=0&CMD=DATA\nID=2&CMD=DATA\nID=3&Return=-12&CMD=DATA');
    expect(r.results.map((x) => x.id)).toEqual(['1', '3']);
    expect(r.rejected.map((x) => x.lineNo)).toEqual([2]);
  });

  it('text before the first ID= is rejected', () => {
    expect(parseDeviceCmd('hello\nID=1&Return=0&CMD=DATA').rejected[0]).toMatchObject({ lineNo: 1 });
  });
});

describe('registration quirks', () => {
  it('MultiBioDataSupport with spaces after colons, 13 entries', () => {
    const m = parseMultiBioList('0: 1: 0: 0: 0: 0: 0: 0: 0: 1: 0: 0: 0');
    expect(m?.types).toEqual([1, 9]);
    expect(m?.byType).toMatchObject({ fingerprint: true, visibleFace: true, nirFace: false });
  });

  it('empty body gives all-null capabilities and never throws', () => {
    const { capabilities } = parseRegistrationBody('');
    expect(capabilities.pushVersion).toBeNull();
    expect(chooseDialect(capabilities)).toMatchObject({ bio: 'templatev10', photo: null, dateFormat: 'yyyymmdd', pin: 'numeric' });
  });

  it('dialect is decided from the registration body, not from one flag', () => {
    const fun = Array.from({ length: 67 }, (_, i) => (i === 26 || i === 60 ? '1' : '0')).join('');
    const caps = parseCapabilities(parseCommaList(`DeviceType=middle east,PushVersion=Ver 3.1.2S-20250616,MultiBioDataSupport=0:0:0:0:0:0:0:0:0:1,DateFmtFunOn=1,StringPinFunOn=1,AccSupportFunList=${fun}`));
    expect(chooseDialect(caps)).toMatchObject({ bio: 'biodata', bioTypes: [9], dateFormat: 'seconds', pin: 'string', devId: true, timezoneValidity: true, authorizeValidity: false });
  });

  it('BioDataFun=1 without a MultiBio list still means biodata, whatever the PushVersion; neither announced means templatev10', () => {
    const caps = parseCapabilities(parseCommaList('PushVersion=Ver 2.2.14,BioDataFun=1'));
    expect(chooseDialect(caps)).toMatchObject({ bio: 'biodata', bioTypes: [9] });
    expect(chooseDialect(parseCapabilities(parseCommaList('PushVersion=Ver 2.0.33S-20220623,BioDataFun=1'))).bio).toBe('biodata');
    expect(chooseDialect(parseCapabilities(parseCommaList('PushVersion=Ver 3.1.2S-20250616,FingerFunOn=1'))).bio).toBe('templatev10');
  });
});

describe('bracketed hex card numbers (security 7.5: Card=[15CD5B07] is 123456789)', () => {
  it('a user upload and an rtlog event read the bracket form to decimal; a malformed one refuses its user line, not its event', () => {
    const users = parseTableData('user', 'user uid=1\tcardno=[15CD5B07]\tpin=1\nuser uid=2\tcardno=[15CD5B0]\tpin=2\nuser uid=3\tcardno=0\tpin=3');
    expect(users.results.map((u) => (u.kind === 'user' ? [u.pin, u.cardNo] : null))).toEqual([['1', '123456789'], ['3', null]]);
    expect(users.rejected.map((r) => r.lineNo)).toEqual([2]);
    const tx = parseTableData('transaction', 'transaction cardno=[15CD5B07]\tpin=0\teventtype=27');
    expect(tx.results[0]).toMatchObject({ cardNo: '123456789' });
    const ev = parseRtlog('time=2026-11-22 09:00:00\tpin=0\tcardno=[15CD5B07]\teventaddr=1\tevent=27\nTime=2026-11-22 09:00:01\tpin=0\tcardno=[XX]\teventaddr=1\tevent=27');
    // An event is never lost for its card: a malformed bracket value is kept as sent.
    expect(ev.results.map((e) => (e.kind === 'event' ? e.cardNo : null))).toEqual(['123456789', '[XX]']);
    expect(ev.rejected).toEqual([]);
  });
});
