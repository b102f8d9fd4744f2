import { describe, expect, it } from 'vitest';
import { readSpecJson } from './testing/spec-files';
import { rebuild } from './testing/rebuild';
import { parseGetrequestBody } from './command-line';
import { formatGetrequestReply } from './getrequest';
import { parseDeviceCmd } from './devicecmd';
import { parseRtlog, parseRtstate } from './rtlog';
import { classifyCdataPost, formatUploadReply, parseQueryData, parseTableData, parseUploadQuery, receivedCount } from './tabledata';
import { parseRegistrationBody } from './registry';
import { formatInitReply, formatPushConfigReply, formatRegistryReply, formatRtdataTimeReply, parseConfigReply, UNREGISTERED_REPLY } from './handshake';
import { parseCommaList, parseTabRecord, splitLines } from './kv';
import { decodeZkSeconds } from './time';

interface Exchange {
  method: string | null;
  path: string | null;
  rawQuery?: string;
  body: string | null;
}
interface Vector {
  id: string;
  template: boolean;
  request: Exchange;
  response: { status: number; body: string | null };
  normalizedBody?: string;
  followUps?: Array<{ request: Exchange; response: { body: string | null } }>;
}

const { vectors } = readSpecJson<{ vectors: Vector[] }>('push-vectors.json');

const PLACEHOLDER = /\$\{|\$\(|%\?|%d|\.\.\.\\t|\\t\.\.\.|\t\.\.\.\t/;
const isCommandVector = (v: Vector) => v.request.path === '/iclock/getrequest' && /^(C:|DataType=)/.test(v.response.body ?? '');
const commandVectors = vectors.filter(isCommandVector);

/**
 * Printed examples that cannot be rebuilt byte for byte, with the reason. Everything else must
 * round-trip through the parser and the typed builders.
 */
const NOT_REBUILDABLE: Record<string, string> = {
  '9.1.1-extboard-property': 'the manual never names the expansion-board table (DATA UPDATE ExtBoardID=1...)',
  '9.1.1-extboard-config': 'the manual never names the expansion-board table (DATA UPDATE ExtBoardID=1...)',
  '9.1.1-userpic': 'content is elided in print; the builder derives size from the content, the example says size=138620',
};
/** The example prints `Majorver/Minorver`; the format line (since doc 3.8) and real firmware use MajorVer/MinorVer. */
const KEY_CASE_ONLY = new Set(['9.1.1-biodata']);

describe('push-vectors.json: every getrequest command parses and rebuilds with the typed builders', () => {
  const skipped: string[] = [];
  it.each(commandVectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const expected = v.normalizedBody ?? v.response.body!;
    const parsed = parseGetrequestBody(expected);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.results.length).toBeGreaterThan(0);
    for (const c of parsed.results) expect(c.verb).not.toBe('UNKNOWN');
    if (v.template && PLACEHOLDER.test(expected)) {
      skipped.push(`${v.id} (placeholders)`);
      return;
    }
    if (NOT_REBUILDABLE[v.id]) {
      skipped.push(`${v.id} (${NOT_REBUILDABLE[v.id]})`);
      return;
    }
    const wrapper = parsed.results[0].wrapper;
    const rebuilt = formatGetrequestReply(
      parsed.results.map((c) => {
        const command = rebuild(c);
        expect(command.startsWith('SKIP:'), command).toBe(false);
        return { cmdId: c.cmdId, command };
      }),
      wrapper ? { sn: wrapper.sn!, priority: Number(wrapper.priority ?? 0) } : undefined,
    );
    if (KEY_CASE_ONLY.has(v.id)) {
      const keys = (s: string) => s.replace(/(^|\t)([A-Za-z]+)=/g, (_m, p: string, k: string) => `${p}${k.toLowerCase()}=`);
      expect(keys(rebuilt)).toBe(keys(expected));
      expect(rebuilt).toContain('\tMajorVer=5\tMinorVer=8\t');
    } else {
      expect(rebuilt).toBe(expected);
    }
  });

  it('skips only placeholder templates and the documented misprints', () => {
    // 161 vectors; the command ones that cannot be rebuilt are listed here so the count is visible.
    const templates = commandVectors.filter((v) => v.template && PLACEHOLDER.test(v.normalizedBody ?? v.response.body!)).map((v) => v.id);
    expect(templates.sort()).toEqual(['5-deviceauthorize-commands', '9.1.1-biodata-multi', '9.5.3-set-adscreen', '9.6.1-enroll-info']);
    // 134 command vectors: 4 placeholder templates + 3 misprints are parsed but not rebuilt,
    // 1 (biodata) is rebuilt with the corrected key case, 126 are rebuilt byte for byte.
    expect(commandVectors.length).toBe(134);
    expect(Object.keys(NOT_REBUILDABLE).every((id) => commandVectors.some((v) => v.id === id))).toBe(true);
  });

  it('the template vectors still parse into their verbs', () => {
    const byId = Object.fromEntries(commandVectors.map((v) => [v.id, parseGetrequestBody(v.normalizedBody ?? v.response.body!).results]));
    expect(byId['9.1.1-biodata-multi'][0]).toMatchObject({ verb: 'DATA UPDATE', table: 'biodata' });
    expect((byId['9.1.1-biodata-multi'][0] as { records: unknown[] }).records).toHaveLength(3);
    expect(byId['5-deviceauthorize-commands'].map((c) => c.verb)).toEqual(['DATA UPDATE', 'DATA UPDATE', 'DATA DELETE']);
  });
});

// ------------------------------------------------------------------------------------------------
// Device → server bodies

type Checker = (body: string, query: string, v: Vector) => void;

const uploadChecks: Record<string, Checker> = {
  '7.2-rtlog': (body) => {
    const r = parseRtlog(body);
    expect(r.rejected).toEqual([]);
    expect(r.results).toEqual([expect.objectContaining({ kind: 'event', time: '2017-01-10 11:49:32', pin: '0', personPin: null, cardNo: null, eventAddr: 1, event: 27, inOutStatus: 1, verifyType: 0, index: 21 })]);
  },
  '7.13-rtlog-cancel-alarm': (body) => expect(parseRtlog(body).results[0]).toMatchObject({ event: 27, index: 21 }),
  '7.3-rtstate': (body) => {
    const r = parseRtstate(body, { doorCount: 1 });
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ time: '2017-01-10 15:42:40', sensor: '00', relay: '00', alarm: '0200000000000000' });
    expect(r.results[0].doors[0]).toEqual({ door: 1, sensor: 'none', relay: 0, alarmByte: 2, alarms: ['Tamper alarm'] });
  },
  '7.5-user-upload': (body) => {
    const r = parseTableData('user', body);
    expect(r.results[0]).toMatchObject({ table: 'user', uid: 5, pin: '4', group: 1, privilege: 0, disable: false, verify: 0, cardNo: null });
  },
  '7.6-identitycard-upload': (body) => {
    const r = parseTableData('identitycard', body);
    expect(r.results[0]).toMatchObject({ table: 'identitycard', pin: '1', idNum: '210102199212182xxxx', name: 'Zhangsan', gender: 1, address: 'xxxxx, Tangxia Town, Dongguan, Guangdong' });
  },
  '7.7-templatev10-upload': (body) => {
    const r = parseTableData('templatev10', body);
    expect(r.results).toHaveLength(2);
    expect(r.results[0]).toMatchObject({ table: 'templatev10', pin: '4', uid: 4, fingerId: 7, valid: 1, size: 1808, sizeMismatch: false });
  },
  '7.8-biophoto-upload': (body) => expect(parseTableData('biophoto', body).results[0]).toMatchObject({ table: 'biophoto', pin: '123', fileName: '123.jpg', type: 9, size: 95040 }),
  '7.9-attphoto-upload': (body) => expect(parseTableData('ATTPHOTO', body).results[0]).toMatchObject({ table: 'ATTPHOTO', fileName: '20181003143617-22.jpg', sn: '1809140006', size: 22701 }),
  '7.10-userpic-upload': (body) => expect(parseTableData('userpic', body).results[0]).toMatchObject({ table: 'userpic', pin: '1', fileName: '1.jpg', size: 22320 }),
  '7.11-biodata-upload': (body) => expect(parseTableData('biodata', body).results[0]).toMatchObject({ table: 'biodata', pin: '1', no: 0, index: 0, valid: 1, duress: 0, type: 8, majorVer: 5, minorVer: 0, format: '0' }),
  '7.12-errorlog-upload': (body) => expect(parseTableData('errorlog', body).results[0]).toMatchObject({ table: 'errorlog', errCode: 'D01E0001', dataOrigin: 'cmd', cmdId: '123', errMsg: '' }),
  '7.14-irstate': (body) => expect(parseTabRecord(splitLines(body)[0].text).map.int('incount')).toBe(2),
  '7.15-linkphotoinfo': (body) =>
    expect(parseTableData('linkphotoinfo', body)).toMatchObject({
      results: [{ table: 'linkphotoinfo', logIndex: 1, photoInfo: '20240118145930-link-ch0.jpg', linkVideo: '1-30-30', photo: expect.stringMatching(/^AAAA/) }],
      rejected: [],
    }),
  '7.4-devicecmd': (body) => expect(parseDeviceCmd(body).results).toEqual([expect.objectContaining({ id: '1', returnCode: 0, cmd: 'DATA UPDATE' })]),
  '4.6-upload-options': (body) => {
    const m = parseCommaList(body);
    expect(m.get('~DeviceName')).toBe('ProBio');
    expect(m.get('OEMVendor')).toBe('ZKTeco Inc. ');
    expect(m.get('~MaxPvCount')).toBe('');
    expect(m.get('PushVersion')).toBe('Ver 2.0.34-20180822');
  },
  '4.4-registry': (body) => {
    const { params, capabilities: c } = parseRegistrationBody(body);
    expect(params.get('~DeviceName')).toBe('F20/M');
    expect(params.fields.find((f) => f.key === 'DeviceName')?.rawKey).toBe('~DeviceName');
    expect(c).toMatchObject({ deviceType: 'acc', deviceName: 'F20/M', firmVer: 'Ver 8.0.1.3-20151229', pushVersion: [2, 0, 22], lockCount: 1, readerCount: 2, auxInCount: 0, auxOutCount: 0, machineType: 101, maxUserCount: 50, maxPackageSize: 2048000, stringPinFunOn: true, dateFmtFunOn: false, ipAddress: '192.168.213.221' });
    expect([...c.accSupportFunList].sort((a, b) => a - b)).toEqual([1, 3, 5, 10, 11, 12, 19, 20, 21, 23, 25, 29, 30, 32]);
  },
  '10-remote-identification': (body) => expect(parseTabRecord(body).map.has('addrtype')).toBe(true),
  '9.2.2-account-controller': (body) => expect(parseCommaList(body).has('FileCount')).toBe(true),
  '5-deviceauthorize-upload': (body) => {
    const r = parseTableData('DeviceAuthorize', body);
    expect(r.results[0]).toMatchObject({ prefix: 'DeviceAuthorize', fields: expect.objectContaining({ IsAuthorize: '%?' }) });
  },
};

const uploadVectors = vectors.filter((v) => v.request.method === 'POST' && v.request.body);
describe('push-vectors.json: every device upload is parsed', () => {
  it.each(uploadVectors.map((v) => [v.id, v] as const))('%s', (id, v) => {
    if (id.startsWith('4.2') || id.startsWith('4.3')) {
      // Key exchange bodies: declined (PushProtVer 3.0.1); they are still plain Name=Value.
      expect(parseCommaList(v.request.body!).fields[0].key).toMatch(/^(PublicKey|Factors)$/);
      return;
    }
    const check = uploadChecks[id];
    expect(check, `no assertions written for upload vector ${id}`).toBeDefined();
    check(v.request.body!, v.request.rawQuery ?? '', v);
    if (v.request.path === '/iclock/cdata' && v.response.body && !v.template) {
      const q = parseUploadQuery(v.request.rawQuery ?? '');
      const kind = classifyCdataPost(q);
      const n = kind === 'tabledata' ? receivedCount(parseTableData(q.tableName!, v.request.body!)) : 0;
      expect(formatUploadReply(q, n)).toBe(v.response.body);
    }
  });
});

const devicecmdFollowUps = vectors.flatMap((v) =>
  (v.followUps ?? []).filter((f) => f.request.path === '/iclock/devicecmd').map((f) => [v.id, v, f.request.body!] as const),
);
/** Results whose ID does not match the command in the manual's own example. */
const WRONG_ID_IN_MANUAL = new Set(['9.1.1-SuperAuthorize', '9.4.1-upgrade-method2']);

describe('push-vectors.json: every devicecmd result parses', () => {
  it.each(devicecmdFollowUps)('%s', (id, v, body) => {
    const r = parseDeviceCmd(body);
    if (v.template && /\$\{|\$\(/.test(body)) {
      // `ID=${CmdID}&Return=${XXX}`: a Return that is not a number must be rejected, never success.
      expect(r.results.filter((x) => !/^\$/.test(x.id))).toEqual([]);
      return;
    }
    expect(r.rejected).toEqual([]);
    expect(r.results.length).toBe(body.split('\n').length);
    const cmds = parseGetrequestBody(v.normalizedBody ?? v.response.body ?? '').results;
    if (cmds.length > 0 && !WRONG_ID_IN_MANUAL.has(id)) expect(r.results.map((x) => x.id)).toEqual(cmds.map((c) => c.cmdId));
    for (const x of r.results) expect(Number.isInteger(x.returnCode)).toBe(true);
  });

  it('QUERY results carry record counts (return=3 is success, not an error)', () => {
    const r = parseDeviceCmd('ID=415&return=3&CMD=DATA QUERY');
    expect(r.results[0]).toMatchObject({ id: '415', returnCode: 3, meaning: 'Successful' });
  });
});

const querydataFollowUps = vectors.flatMap((v) =>
  (v.followUps ?? []).filter((f) => f.request.path === '/iclock/querydata').map((f) => [`${v.id} ${f.request.rawQuery}`, v, f] as const),
);
describe('push-vectors.json: every querydata upload parses and is acknowledged', () => {
  it.each(querydataFollowUps)('%s', (_name, v, f) => {
    const q = parseUploadQuery(f.request.rawQuery ?? '');
    const d = parseQueryData(f.request.rawQuery ?? '', f.request.body ?? '');
    expect(d.cmdId).toBe(q.cmdId);
    if (d.kind === 'count') {
      expect(d.recordCount).toBe(Number(f.request.body!.split('=')[1]));
      expect(formatUploadReply(q, 1)).toBe('OK');
      return;
    }
    if (d.kind === 'account') {
      expect(d.account).toMatchObject({ name: 'transaction.tgz', size: 636, dataCode: 'base64', dataType: 'tgz', data: '[base64 data stream]' });
      return;
    }
    if (d.kind === 'options') return;
    if (d.kind !== 'records') throw new Error(`unexpected ${d.type}`);
    if (!v.template) expect(d.records.rejected).toEqual([]);
    const reply = formatUploadReply(q, receivedCount(d.records));
    // The manual's biodata QUERY example answers `biophoto=1`, a copy error (digest §21.39).
    expect(reply).toBe(v.id === '9.1.4-query-biodata' ? 'biodata=1' : f.response.body);
  });
});

describe('push-vectors.json: session replies', () => {
  const byId = Object.fromEntries(vectors.map((v) => [v.id, v]));

  it('4.1 unregistered device gets OK', () => {
    expect(UNREGISTERED_REPLY).toBe(byId['4.1-init-unregistered'].response.body);
  });

  it('4.1 registered reply has exactly the template lines, in order', () => {
    const template = byId['4.1-init-registered-template'].response.body!.split('\n').map((l) => l.split('=')[0]);
    const ours = formatInitReply('Uy47fxftP3', { sessionId: 'S1' }).split('\n').map((l) => l.split('=')[0]);
    expect(ours).toEqual(template);
  });

  it('4.4 registry reply is RegistryCode=<code> with nothing after it', () => {
    expect(formatRegistryReply('Uy47fxftP3')).toBe(byId['4.4-registry'].response.body);
  });

  it('4.5 config reply carries the example values (PushProtVer for PushVersion, TransTimes with its ;)', () => {
    const example = parseConfigReply(byId['4.5-push-config'].response.body!);
    const ours = parseConfigReply(
      formatPushConfigReply({ sessionId: '30BFB04B2C8AECC72C01C03BFD549D15', errorDelay: 60, requestDelay: 2, transTimes: ['00:00', '14:00'], transInterval: 1 }),
    );
    for (const f of example.fields) {
      if (f.key === 'PushVersion') expect(ours.get('PushProtVer')).toBe(f.value);
      else if (f.key === 'TransTimes') expect(ours.get('TransTimes')).toBe('00:00;14:00');
      else expect(ours.get(f.key)).toBe(f.value);
    }
  });

  it('9.5.1 rtdata time reply', () => {
    const fu = byId['9.5.1-set-datetime'].followUps!.find((f) => f.request.path === '/iclock/rtdata')!;
    expect(formatRtdataTimeReply(decodeZkSeconds(583050990), 8 * 60)).toBe(fu.response.body);
  });
});
