import { describe, expect, it } from 'vitest';
import { readSpecJson } from '../fixtures/spec-files';
import type { TestApp } from '../support/test-app';
import { useAttendanceApp } from './attendance-helpers';

/**
 * Every Attendance PUSH field sample that shows a request (shared/spec/field-samples.json), replayed through HTTP as
 * the terminal sent it (query, headers, body bytes with their CR LF and trailing TABs), in the file's order, each
 * checked for its answer and for what it stored, and each upload replayed a second time as a terminal that lost the
 * answer does: stored once, answered alike. A command result is posted after the command it answers was fetched:
 * the sample's IDs are our queue's ids for that terminal (the sample's own numbers name another server's commands).
 * A placeholder SN (`<sn>`, `<unknown>`) becomes one of the sample's own; a placeholder Stamp (`<n>`) a number.
 */
interface Sample {
  id: string;
  dialect: string;
  kind: string;
  request: { method: string | null; path: string | null; query: string | null; headers: Record<string, string> | null; body: string | null } | null;
  response: { status: number; body: string } | null;
}
const samples = readSpecJson<{ samples: Sample[] }>('field-samples.json').samples.filter(
  (s) => s.dialect === 'attendance-push' && s.request?.method && s.request.path && s.kind !== 'return-code',
);
const byId = new Map(samples.map((s) => [s.id, s]));

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const OWN_SN: Record<string, string> = {
  'opt-senseface2a-zam70-3312': 'FSZAM70S3312',
  'cmd-batched-zam180': 'FSZAM180BATCH',
  'cmd-shell-multiline-zam180': 'FSZAM180SHELL',
  'hdr-useragent-zam180': 'FSZAM180UA',
  'getrequest-info-v5l-zam180': 'FSZAM180INFO',
};

function requestOf(id: string): { sn: string; url: string; method: string; headers: Record<string, string>; body: string | undefined } {
  const r = byId.get(id)!.request!;
  let query = (r.query ?? '').replace(/Stamp=<n>/, 'Stamp=7001');
  const own = OWN_SN[id];
  if (own) query = query.replace(/SN=<[^>]*>/, `SN=${own}`);
  const sn = /(?:^|&)SN=([^&]+)/.exec(query)![1];
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'host'));
  return { sn, url: `${t.baseUrl}${r.path}?${query}`, method: r.method!, headers, body: r.body ?? undefined };
}

async function replay(id: string, body?: string): Promise<[number, string]> {
  const r = requestOf(id);
  const res = await fetch(r.url, { method: r.method, headers: r.headers, body: body ?? r.body });
  return [res.status, await res.text()];
}

/** The manual's own initialisation (5: `options=all&pushver=2.2.14&language=83`), for a sample that comes without one. */
const init = async (sn: string): Promise<string> => (await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&options=all&pushver=2.2.14&language=83`)).text();
const device = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}`)).body.data;
const commandsOf = (sn: string): Promise<Array<{ command: string; state: string; return_code: number | null }>> =>
  t.ds.query(`SELECT command, state, return_code FROM device_command WHERE device_sn = $1 ORDER BY id`, [sn]);

/** Queues the terminal actions, fetches them as the terminal polls, and answers their queue ids in order. */
async function fetchCommands(sn: string, actions: Array<{ action: string; pin?: string }>): Promise<string[]> {
  for (const a of actions) expect((await t.post(`/api/gateway/attendance/terminals/${sn}/command`, a)).body.code).toBe(0);
  const text = await (await fetch(`${t.baseUrl}/iclock/getrequest?SN=${sn}`)).text();
  return [...text.matchAll(/^C:(\d+):/gm)].map((m) => m[1]);
}

/** The sample's body with its result IDs (in order of appearance) replaced by ours. */
function withIds(body: string, ids: string[]): string {
  let i = 0;
  return body.replace(/^ID=[^&\n]+/gm, () => `ID=${ids[i++]}`);
}

describe('Attendance PUSH field samples replayed through HTTP', () => {
  it('covers every Attendance PUSH sample that shows a request, but the return-code ones', () => {
    expect(samples.map((s) => s.id).sort()).toEqual(
      [
        'hs-bock-middle-east', 'hs-biopro-sa40-middle-east', 'hs-speedface-v5l-zam230-att', 'opt-speedface-v5l-zam180', 'opt-senseface2a-zam70-3312',
        'cmd-info-biopro-sa40', 'cmd-info-speedface-v5l-zam180-short', 'cmd-batched-zam180', 'cmd-shell-multiline-zam180', 'cmd-shell-biopro-sn-filename',
        'cmd-data-after-info-biopro', 'up-attlog-bock-trailing-tab', 'up-operlog-bock-oplog-fp', 'up-operlog-user-biopro', 'hdr-mb160-getrequest',
        'hdr-useragent-zam180', 'hdr-mac-header-biopro', 'other-zam70-capitalbrix', 'getrequest-info-v5l-zam180',
      ].sort(),
    );
  });

  it('initialisations: the options with every Stamp, whatever DeviceType says, and the terminal an attendance one', async () => {
    for (const id of ['hs-bock-middle-east', 'hs-biopro-sa40-middle-east', 'hs-speedface-v5l-zam230-att', 'hdr-mac-header-biopro']) {
      const { sn } = requestOf(id);
      const [status, body] = await replay(id);
      expect(status, id).toBe(200);
      expect(body.split('\n')[0], id).toBe(`GET OPTION FROM: ${sn}`);
      for (const stamp of ['ATTLOGStamp', 'OPERLOGStamp', 'ATTPHOTOStamp', 'Stamp', 'OpStamp']) expect(body, `${id} ${stamp}`).toMatch(new RegExp(`^${stamp}=`, 'm'));
      expect(body, id).toMatch(/^PushOptionsFlag=1$/m);
      expect((await device(sn)).kind, id).toBe('att');
    }
  });

  it('options uploads: answered OK and the capacity they report kept', async () => {
    for (const [id, maxUsers] of [['opt-speedface-v5l-zam180', 100], ['opt-senseface2a-zam70-3312', 30]] as const) {
      const { sn } = requestOf(id);
      await init(sn);
      expect(await replay(id), id).toEqual([200, 'OK']);
      expect((await device(sn)).capacity.maxUserCount, id).toBe(maxUsers);
    }
  });

  it('INFO results, a line per parameter (long and short): the command confirmed and the parameters kept', async () => {
    const biopro = requestOf('cmd-info-biopro-sa40').sn;
    await replay('hs-biopro-sa40-middle-east');
    const [infoId] = await fetchCommands(biopro, [{ action: 'info' }]);
    expect(await replay('cmd-info-biopro-sa40', withIds(byId.get('cmd-info-biopro-sa40')!.request!.body!, [infoId]))).toEqual([200, 'OK']);
    expect(await commandsOf(biopro)).toEqual([{ command: 'INFO', state: 'done', return_code: 0 }]);
    const d = await device(biopro);
    expect(d.firmVer).toBe('Ver 8.0.4.3-20220708');
    expect(d.capacity).toMatchObject({ maxUserCount: 50, fingerCount: 2 });

    const short = requestOf('cmd-info-speedface-v5l-zam180-short').sn;
    await init(short);
    const [shortId] = await fetchCommands(short, [{ action: 'info' }]);
    expect(await replay('cmd-info-speedface-v5l-zam180-short', withIds(byId.get('cmd-info-speedface-v5l-zam180-short')!.request!.body!, [shortId]))).toEqual([200, 'OK']);
    expect(await commandsOf(short)).toEqual([{ command: 'INFO', state: 'done', return_code: 0 }]);
    expect((await device(short)).type).toBe('SpeedFace');
  });

  it('results batched one per line, and a DATA result with its trailing LF: each confirmed, a resend changes nothing', async () => {
    const sn = requestOf('cmd-batched-zam180').sn;
    await init(sn);
    const ids = await fetchCommands(sn, [{ action: 'queryUser', pin: '1' }, { action: 'queryUser', pin: '2' }, { action: 'check' }]);
    const body = withIds(byId.get('cmd-batched-zam180')!.request!.body!, ids);
    for (let i = 0; i < 2; i++) expect(await replay('cmd-batched-zam180', body)).toEqual([200, 'OK']);
    expect((await commandsOf(sn)).map((c) => [c.command, c.state, c.return_code])).toEqual([
      ['DATA QUERY USERINFO PIN=1', 'done', 0],
      ['DATA QUERY USERINFO PIN=2', 'done', 0],
      ['CHECK', 'done', 0],
    ]);

    const biopro = requestOf('cmd-data-after-info-biopro').sn;
    await replay('hs-biopro-sa40-middle-east');
    const [dataId] = await fetchCommands(biopro, [{ action: 'queryUser', pin: '1' }]);
    expect(await replay('cmd-data-after-info-biopro', withIds(byId.get('cmd-data-after-info-biopro')!.request!.body!, [dataId]))).toEqual([200, 'OK']);
    expect((await commandsOf(biopro)).at(-1)).toEqual({ command: 'DATA QUERY USERINFO PIN=1', state: 'done', return_code: 0 });
  });

  it('Shell results in the multi-line form (with SN= and FILENAME= in the body) for commands this server never sent: OK, and no command of the terminal or of another confirmed by their numbers', async () => {
    // Another terminal's command fetched under the sample's number space: a result from this SN must not confirm it.
    const other = 'FSOTHERTERM';
    await init(other);
    const [otherId] = await fetchCommands(other, [{ action: 'check' }]);
    for (const id of ['cmd-shell-multiline-zam180', 'cmd-shell-biopro-sn-filename']) {
      const { sn } = requestOf(id);
      await init(sn);
      const pending = await fetchCommands(sn, [{ action: 'check' }]);
      const before = await commandsOf(sn);
      expect(await replay(id, byId.get(id)!.request!.body!.replace(/^ID=\d+/m, `ID=${otherId}`)), id).toEqual([200, 'OK']);
      expect(await commandsOf(sn), id).toEqual(before);
      expect(pending.length).toBe(1);
    }
    expect(await commandsOf(other)).toEqual([{ command: 'CHECK', state: 'sent', return_code: null }]);
  });

  it('the ATTLOG upload with an empty work code and a trailing TAB before CR LF: three punches, answered OK: 3 twice, stored once', async () => {
    const sn = requestOf('up-attlog-bock-trailing-tab').sn;
    for (let i = 0; i < 2; i++) expect(await replay('up-attlog-bock-trailing-tab')).toEqual([200, 'OK: 3']);
    const rows = await t.ds.query(
      `SELECT pin, status, verify_mode_no, work_code, to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at FROM att_transaction WHERE device_sn = $1 ORDER BY event_time`,
      [sn],
    );
    expect(rows.map((r: { pin: string; at: string }) => [r.pin, r.at])).toEqual([
      ['1', '2024-07-28 01:25:24'],
      ['1', '2024-07-28 10:41:21'],
      ['4', '2024-07-28 10:41:31'],
    ]);
    expect(await init(sn)).toMatch(/^ATTLOGStamp=9999$/m);
  });

  it('the OPERLOG upload of OPLOG rows and FP templates: every record stored once, answered alike when sent again', async () => {
    const sn = requestOf('up-operlog-bock-oplog-fp').sn;
    const body = byId.get('up-operlog-bock-oplog-fp')!.request!.body!;
    const records = body.split('\r\n').filter((l) => l !== '');
    const oplogs = records.filter((l) => l.startsWith('OPLOG ')).length;
    const fps = records.filter((l) => l.startsWith('FP ')).length;
    const answers = [await replay('up-operlog-bock-oplog-fp'), await replay('up-operlog-bock-oplog-fp')];
    expect(answers[0]).toEqual([200, `OK: ${oplogs + fps}`]);
    expect(answers[1]).toEqual(answers[0]);
    const count = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM att_operlog WHERE device_sn = $1`, [sn]))[0].n;
    expect(await count()).toBe(oplogs);
    // Its first record is a "Clear data" at the menu (OPLOG 13): the terminal's records start again, so its Stamps
    // are dropped and it uploads its log again at its next boot; the clear already held, that upload keeps its Stamp.
    expect(await init(sn)).toMatch(/^OPERLOGStamp=0$/m);
    expect(await replay('up-operlog-bock-oplog-fp')).toEqual(answers[0]);
    expect(await init(sn)).toMatch(/^OPERLOGStamp=9999$/m);
    expect(await count()).toBe(oplogs);
  });

  it('a USER record on OPERLOG with fields beyond the manual (StartDatetime, EndDatetime): the user is the terminal\'s', async () => {
    const sn = requestOf('up-operlog-user-biopro').sn;
    for (let i = 0; i < 2; i++) expect(await replay('up-operlog-user-biopro')).toEqual([200, 'OK: 1']);
    const users = await t.ds.query(`SELECT l.pin FROM device_user_line l JOIN device d ON d.id = l.device_id WHERE d.sn = $1`, [sn]);
    expect(users.map((u: { pin: string }) => u.pin)).toEqual(['1']);
    expect(await init(sn)).toMatch(/^OPERLOGStamp=7001$/m);
  });

  it('polls with the terminals\' headers (gzip accepted, MAC header) and INFO polls: plain answers, the terminal online', async () => {
    for (const id of ['hdr-mb160-getrequest', 'hdr-useragent-zam180', 'other-zam70-capitalbrix', 'getrequest-info-v5l-zam180']) {
      const { sn } = requestOf(id);
      await init(sn);
      const [status, body] = await replay(id);
      expect(status, id).toBe(200);
      expect(body.length > 0, id).toBe(true);
      expect(body, id).not.toMatch(/error/i);
      expect((await device(sn)).online, id).toBe(true);
    }
  });

  it('a terminal that only polls with INFO: what it holds (users, fingerprints, records, faces) is its capacity, as its INFO changes', async () => {
    const { sn } = requestOf('other-zam70-capitalbrix');
    expect((await replay('other-zam70-capitalbrix'))[0]).toBe(200);
    // INFO=ZAM70-NF24HA-Ver3.3.12,27,73,283,192.168.1.201,13,40,12,3,...: 27 users, 73 fingerprints, 283 records, 3 faces.
    expect((await device(sn)).capacity).toMatchObject({ userCount: 27, fingerCount: 73, transactionCount: 283, faceCount: 3 });
    // Options pushed at an initialisation before: the poll's counts, newer, are what it holds.
    await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&table=options`, { method: 'POST', body: '~DeviceName=SenseFace 2A,UserCount=2,FPCount=1,~MaxUserCount=30' });
    const r = await fetch(`${t.baseUrl}/iclock/getrequest?SN=${sn}&INFO=ZAM70-NF24HA-Ver3.3.12,28,74,290,192.168.1.201,13,40,12,4,11110,0,25,0`);
    expect(r.status).toBe(200);
    expect((await device(sn)).capacity).toMatchObject({ maxUserCount: 30, userCount: 28, fingerCount: 74, transactionCount: 290, faceCount: 4 });
  });
});
