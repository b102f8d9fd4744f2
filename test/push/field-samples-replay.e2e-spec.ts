import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecJson } from '../fixtures/spec-files';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Every Security PUSH field sample that shows a request (shared/spec/field-samples.json) replayed through the HTTP
 * server as the device sent it (path, query, headers and body bytes: CR LF or LF endings, a trailing slash, an empty
 * authKey before a trailing LF), each checked for the exact answer body and for what it stored. A sample whose
 * source hides the SN gets one of its own; one whose body the source elided is rebuilt from its notes. Samples with
 * no request (PULL SDK records, logs) and the return-code samples (their commands, not their bodies, matter:
 * src/push/protocol/field-samples.spec.ts) are not requests to replay.
 */
interface Sample {
  id: string;
  dialect: string;
  kind: string;
  request: { method: string | null; path: string | null; query: string | null; headers: Record<string, string> | null; body: string | null } | null;
}
const samples = readSpecJson<{ samples: Sample[] }>('field-samples.json').samples;
const byId = new Map(samples.map((s) => [s.id, s]));

/** The SN a sample without one (or with a placeholder) is replayed under. */
const OWN_SN: Record<string, string> = {
  'reg-speedface-v5l-rfid-ti-acc': 'FSV5LRFID01',
  'reg-bioface-a1-manual-copy': 'FSBIOFACE01',
  'reg-speedface-v5l-zam230-fragment': 'FSV5LZAM230',
  'cmd-info-speedface-v5l-zam230-trimmed': 'FSV5LZAM230',
  'querydata-senseface2a-getoptions': 'NYU7251601501',
};
/** querydata-bioface-a1-user's body, elided by its source: "three lines 'user uid=1<HT>cardno=<HT>pin=1<HT>...'". */
const BIOFACE_USERS = [1, 2, 3].map((n) => `user uid=${n}\tcardno=\tpin=${n}\tpassword=\tgroup=1\tstarttime=0\tendtime=0\tname=\tprivilege=14\tdisable=0\tverify=0`).join('\r\n');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
});
afterAll(async () => {
  await t?.close();
});

/** Replays one sample; answers [status, body]. */
async function replay(id: string, opts: { body?: string } = {}): Promise<[number, string]> {
  const r = byId.get(id)!.request!;
  let query = (r.query ?? '').replace(/SN=<[^>]*>/, '');
  if (OWN_SN[id] && !/(^|&)SN=[^&<]/.test(query)) query = `SN=${OWN_SN[id]}${query ? `&${query.replace(/^&/, '')}` : ''}`;
  const body = opts.body ?? r.body ?? undefined;
  const res = await fetch(`${t.baseUrl}${r.path}?${query}`, { method: r.method!, body, headers: r.headers ?? {} });
  return [res.status, await res.text()];
}

const gateway = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}`)).body.data;
const events = (sn: string) =>
  t.ds.query(`SELECT log_id, event_no, pin, to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at FROM acc_transaction WHERE device_sn = $1 ORDER BY log_id`, [sn]);
const uploads = async (sn: string, table: string) =>
  ((await t.ds.query(`SELECT pin FROM device_upload WHERE device_sn = $1 AND table_name = $2 ORDER BY id`, [sn, table])) as Array<{ pin: string | null }>).map((u) => u.pin);

describe('Security PUSH field samples replayed through HTTP', () => {
  it('covers every Security PUSH sample that shows a request, but the return-code ones', () => {
    const replayed = samples.filter((s) => s.dialect === 'security-push' && s.request?.method && s.request.path && s.kind !== 'return-code').map((s) => s.id);
    expect(replayed.sort()).toEqual(
      [
        'reg-senseface2a-acc',
        'reg-c3-100pro-acc',
        'reg-speedface-v5l-rfid-ti-acc',
        'reg-bioface-a1-manual-copy',
        'reg-speedface-v5l-zam230-fragment',
        'cmd-info-speedface-v5l-zam230-trimmed',
        'rtlog-senseface2a-punch',
        'rtlog-senseface2a-door-row',
        'rtlog-speedface-v3l-two-lines',
        'rtlog-rtstate-senseface3-guide',
        'up-user-senseface2a-tabledata',
        'up-biodata-senseface2a',
        'querydata-bioface-a1-user',
        'querydata-zkdemo-count-and-options',
        'querydata-senseface2a-getoptions',
      ].sort(),
    );
  });

  it('registrations: a RegistryCode alone (no newline), the model, firmware and address as sent', async () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['reg-senseface2a-acc', 'NYU7251601501', { type: 'SenseFace 2A', firmVer: 'ZAM70-NF24HA-Ver3.0.15', pushVersion: 'Ver 3.0.4S-20240809', lockCount: 1 }],
      ['reg-c3-100pro-acc', 'SN_PUSH_11', { type: 'C3-100Pro', firmVer: 'AC Ver 4.7.8.3033 Aug 14 2023', pushVersion: null, lockCount: 1 }],
      ['reg-speedface-v5l-rfid-ti-acc', 'FSV5LRFID01', { type: 'SpeedFace-V5L-RFID[TI]', firmVer: 'ZAM180...', ipAddress: '192.168.1.201', alias: '192.168.1.201' }],
      ['reg-bioface-a1-manual-copy', 'FSBIOFACE01', { type: 'BioFace A1', firmVer: 'Ver 8.0.1.3-20151229', pushVersion: 'Ver 2.0.22-20161201', lockCount: 1 }],
      ['reg-speedface-v5l-zam230-fragment', 'FSV5LZAM230', { type: 'acc', firmVer: 'ZAM230-NF50VA-Ver1.1.9', pushVersion: 'Ver 3.1.6S-20251028' }],
    ];
    for (const [id, sn, stored] of cases) {
      const [status, body] = await replay(id);
      expect([id, status, body]).toEqual([id, 200, expect.stringMatching(/^RegistryCode=[A-Za-z0-9_-]{1,32}$/)]);
      expect(await gateway(sn)).toMatchObject({ sn, admission: 'admitted', kind: 'acc', ...stored });
    }
  });

  it('an INFO result on devicecmd (LF lines after the result line) is answered OK', async () => {
    expect(await replay('cmd-info-speedface-v5l-zam230-trimmed')).toEqual([200, 'OK']);
  });

  it('rtlog: the CR LF punch, the door-state row on table=rtlog, two LF events (event 27 with pin 0)', async () => {
    expect(await replay('rtlog-senseface2a-punch')).toEqual([200, 'OK']);
    expect(await events('NYU7251601501')).toEqual([{ log_id: 40, event_no: 3, pin: '771966', at: '2026-09-09 12:09:10' }]);

    expect(await replay('rtlog-senseface2a-door-row')).toEqual([200, 'OK']);
    expect(await events('NYU7251601501')).toHaveLength(1);
    const [door] = (await t.get('/api/door/doorStateBySn', { deviceSn: 'NYU7251601501', timestamp: Date.now() })).body.data;
    expect(door).toMatchObject({ name: 'NYU7251601501-1', connect: '1', sensor: 'open', alarm: 'be opened accidentally', relay: 'off' });

    expect(await replay('rtlog-speedface-v3l-two-lines')).toEqual([200, 'OK']);
    expect(await events('CRJP230860129')).toEqual([
      { log_id: 13355, event_no: 0, pin: '30011478', at: '2026-09-28 11:40:45' },
      { log_id: 13357, event_no: 27, pin: null, at: '2026-09-28 11:45:56' },
    ]);
    // The device sends them again (it thinks the upload failed): nothing is added.
    expect(await replay('rtlog-speedface-v3l-two-lines')).toEqual([200, 'OK']);
    expect(await events('CRJP230860129')).toHaveLength(2);
  });

  it('rtstate without a line end, of a one-door SenseFace 3: the door is closed, no alarm, lock shut', async () => {
    // The guide shows no registration: the panel registers with one door first.
    const registered = await fetch(`${t.baseUrl}/iclock/registry?SN=VGU6251500098`, { method: 'POST', body: 'DeviceType=acc,~DeviceName=SenseFace 3,LockCount=1' });
    expect(await registered.text()).toMatch(/^RegistryCode=/);
    expect(await replay('rtlog-rtstate-senseface3-guide')).toEqual([200, 'OK']);
    const [door] = (await t.get('/api/door/doorStateBySn', { deviceSn: 'VGU6251500098', timestamp: Date.now() })).body.data;
    expect(door).toMatchObject({ connect: '1', sensor: 'off', alarm: 'none', relay: 'off' });
  });

  it('table uploads: `<table>=<lines>` whatever count= says, each line kept with its pin', async () => {
    expect(await replay('up-user-senseface2a-tabledata')).toEqual([200, 'user=3']);
    expect(await uploads('NYU7251601501', 'user')).toEqual(['771962', '771900', '777']);
    expect(await replay('up-biodata-senseface2a')).toEqual([200, 'biodata=2']);
    expect(await uploads('NYU7251601501', 'biodata')).toEqual(['771962', '771962']);
  });

  it('querydata: a user table answered user=3, a count and a GET OPTIONS answer OK', async () => {
    expect(await replay('querydata-bioface-a1-user', { body: BIOFACE_USERS })).toEqual([200, 'user=3']);
    expect(await uploads('ACCFIXTURE0001', 'user')).toEqual(['1', '2', '3']);
    expect(await replay('querydata-zkdemo-count-and-options')).toEqual([200, 'OK']);
    expect(await replay('querydata-senseface2a-getoptions', { body: 'IclockSvrIP=push.example.net,IclockSvrPort=8081,IclockSvrFun=1,WebSite= ' })).toEqual([200, 'OK']);
    const options = (await t.get('/api/gateway/devices/NYU7251601501/options')).body.data as Array<{ name: string; value: string }>;
    expect(options.map((o) => [o.name, o.value])).toEqual(expect.arrayContaining([['IclockSvrIP', 'push.example.net'], ['IclockSvrPort', '8081'], ['WebSite', ' ']]));
  });
});
