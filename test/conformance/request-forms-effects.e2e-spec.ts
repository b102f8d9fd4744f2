import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, heardFrom, PHOTO, type Fixture } from './conformance-support';

/**
 * 3. The request forms real clients send (field notes, REST 4, 9), on every write of the manual whose effect a
 * later read can show, each checked by that effect and not by the envelope alone: a success that stored nothing,
 * or stored another value, fails here. Each form writes its own record (a key of its own), so one form's write
 * can never make another form's read pass.
 *
 * The forms: a JSON body; every value as a string (numbers and booleans as clients' serialisers write them);
 * the inputs in the query with no body, and with a JSON `null` body; a form-encoded body (lists comma separated);
 * JSON sent as text/plain and with no content type; a trailing slash on the path; unknown extra fields; and the
 * inputs in the query with a JSON body of the same fields left null, "" or [].
 * Checked by mutation: a form parser that drops lastName, parentCode and email still answers success, and the
 * person/add, addPersonnelBasicInfo and department/add cases of the form-encoded body fail.
 */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp({ apiRateLimit: 0, apiIpRateLimit: 0 });
  f = await buildFixture(t);
});
afterAll(async () => {
  await t?.close();
});

type Params = Record<string, string | number | boolean | string[]>;
type Form = 'json' | 'strings' | 'query' | 'queryNullBody' | 'form' | 'textPlain' | 'noContentType' | 'trailingSlash' | 'extraFields' | 'queryBlankBody';
const FORMS: Form[] = ['json', 'strings', 'query', 'queryNullBody', 'form', 'textPlain', 'noContentType', 'trailingSlash', 'extraFields', 'queryBlankBody'];

const flat = (v: Params[string]) => (Array.isArray(v) ? v.join(',') : String(v));
const stringsOf = (p: Params) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? v : String(v)]));

/** One POST of `params` in the given form. */
function send(form: Form, path: string, params: Params): Promise<HttpResult> {
  const json = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, p = path) =>
    t.request('POST', p, { query: { access_token: TEST_TOKEN }, body: JSON.stringify(body), headers });
  switch (form) {
    case 'json':
      return json(params);
    case 'strings':
      return json(stringsOf(params));
    case 'query':
      return t.request('POST', path, { query: { access_token: TEST_TOKEN, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, flat(v)])) } });
    case 'queryNullBody':
      return t.request('POST', path, {
        query: { access_token: TEST_TOKEN, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, flat(v)])) },
        body: 'null',
        headers: { 'content-type': 'application/json' },
      });
    case 'form':
      return t.request('POST', path, {
        query: { access_token: TEST_TOKEN },
        body: new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, flat(v)])).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    case 'textPlain':
      return json(params, { 'content-type': 'text/plain;charset=UTF-8' });
    case 'noContentType':
      return json(params, {});
    case 'trailingSlash':
      return json(params, undefined, `${path}/`);
    case 'extraFields':
      return json({ ...params, unknownField: 'x', Nested: { a: 1 }, list: [1, 2], flag: true, nothing: null });
    case 'queryBlankBody':
      // The inputs in the query, and a JSON body of the same fields left null, "" or [] (a serialised request
      // object whose fields the client never set): the query's values count.
      return t.request('POST', path, {
        query: { access_token: TEST_TOKEN, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, flat(v)])) },
        body: JSON.stringify(Object.fromEntries(Object.entries(params).map(([k, v], i) => [k, Array.isArray(v) ? [] : i % 2 ? '' : null]))),
        headers: { 'content-type': 'application/json' },
      });
  }
}

/** A distinct small number per form, for keys (pins, codes, cards) of that form's own record. */
const n = (form: Form) => FORMS.indexOf(form) + 1;

interface WriteCase {
  section: string;
  path: string;
  /** The inputs, keyed by this form's own record. */
  params: (form: Form) => Params | Promise<Params>;
  /** Reads the effect back; throws (expect) when the write did not do what it said. */
  effect: (form: Form) => Promise<void>;
  /** Forms this endpoint cannot take (with the reason). */
  skip?: Partial<Record<Form, string>>;
}

const ok = async (p: Promise<HttpResult>, label: string) => {
  const r = await p;
  expect(r.body, `${label}: ${r.text.slice(0, 300)}`).toMatchObject({ code: 0 });
  return r.body.data;
};

const WRITES = (): WriteCase[] => [
  {
    section: '2.13.1 person/add',
    path: '/api/person/add',
    params: (form) => ({ pin: 7100 + n(form), name: `Form ${form}`, lastName: 'Lee', deptCode: 10, gender: 'F', cardNo: 71000 + n(form), accLevelIds: f.levelId, accStartTime: '2024-01-01 00:00:00', accEndTime: '2030-12-31 23:59:59' }),
    effect: async (form) => {
      const p = await ok(t.get(`/api/person/get/${7100 + n(form)}`), form);
      expect(p, form).toMatchObject({ pin: String(7100 + n(form)), name: `Form ${form}`, lastName: 'Lee', deptCode: '10', gender: 'F', cardNo: String(71000 + n(form)), accLevelIds: f.levelId });
    },
  },
  {
    section: '2.13.7 person/addPersonnelBasicInfo',
    path: '/api/person/addPersonnelBasicInfo',
    params: (form) => ({ pin: 7200 + n(form), name: 'Basic', deptCode: '10', birthday: '1990-05-06', hireDate: '2019-06-10', email: `b${n(form)}@example.com`, mobilePhone: 15100000000 + n(form), isDisabled: false, isSendMail: true, certType: 2, certNumber: 123456 }),
    effect: async (form) => {
      const p = await ok(t.get('/api/v2/person/get', { pin: 7200 + n(form) }), form);
      expect(p, form).toMatchObject({ pin: String(7200 + n(form)), name: 'Basic', deptCode: '10', birthday: '1990-05-06', hireDate: '2019-06-10', email: `b${n(form)}@example.com` });
    },
  },
  {
    section: '2.5.1 department/add',
    path: '/api/department/add',
    params: (form) => ({ code: 7300 + n(form), name: `Dept ${form}`, parentCode: 10 }),
    effect: async (form) => {
      expect(await ok(t.get(`/api/department/get/${7300 + n(form)}`), form), form).toEqual({ code: String(7300 + n(form)), name: `Dept ${form}`, parentCode: '10' });
    },
  },
  {
    section: '2.4.2 card/set',
    path: '/api/card/set',
    params: async (form) => {
      await ok(t.post('/api/person/add', { pin: `74${n(form)}`, name: 'Card' }), form);
      return { pin: Number(`74${n(form)}`), cardNo: 7400000 + n(form), cardType: 0 };
    },
    effect: async (form) => {
      expect(await ok(t.get(`/api/card/getCards/74${n(form)}`), form), form).toEqual([{ pin: `74${n(form)}`, cardNo: String(7400000 + n(form)), cardType: '0' }]);
    },
  },
  {
    section: '2.1.6 accLevel/syncPerson',
    path: '/api/accLevel/syncPerson',
    params: async (form) => {
      await ok(t.post('/api/person/add', { pin: `75${n(form)}`, name: 'Sync' }), form);
      return { pin: Number(`75${n(form)}`), levelIds: [f.levelId] };
    },
    effect: async (form) => {
      expect((await ok(t.get(`/api/person/get/75${n(form)}`), form)).accLevelIds, form).toBe(f.levelId);
    },
  },
  {
    section: '2.1.1 accLevel/deleteLevel',
    path: '/api/accLevel/deleteLevel',
    params: async (form) => {
      await ok(t.post('/api/person/add', { pin: `76${n(form)}`, name: 'Revoke', accLevelIds: f.levelId }), form);
      return { pin: Number(`76${n(form)}`), levelIds: [f.levelId] };
    },
    effect: async (form) => {
      expect((await ok(t.get(`/api/person/get/76${n(form)}`), form)).accLevelIds, form).toBe('');
    },
  },
  {
    section: '2.25.1 bioTemplate/add',
    path: '/api/bioTemplate/add',
    params: async (form) => {
      await ok(t.post('/api/person/add', { pin: `77${n(form)}`, name: 'Finger' }), form);
      return { personId: Number(`77${n(form)}`), validType: 1, template: Buffer.from(`finger of ${form}`).toString('base64'), templateNo: 6 };
    },
    effect: async (form) => {
      const list = await ok(t.get(`/api/bioTemplate/getFgListByPin/77${n(form)}`), form);
      expect(list, form).toMatchObject([{ personId: `77${n(form)}`, templateNo: '6', template: Buffer.from(`finger of ${form}`).toString('base64') }]);
    },
  },
  {
    section: '2.13.8 person/updatePersonnelPhoto',
    path: '/api/person/updatePersonnelPhoto',
    params: async (form) => {
      await ok(t.post('/api/person/add', { pin: `78${n(form)}`, name: 'Photo' }), form);
      return { pin: Number(`78${n(form)}`), personPhoto: PHOTO };
    },
    effect: async (form) => {
      expect((await ok(t.get(`/api/person/get/78${n(form)}`), form)).personPhoto, form).toBe(PHOTO);
    },
  },
  {
    section: '2.15.1 visReservation/add',
    path: '/api/visReservation/add',
    params: (form) => ({ persPersonPin: Number(f.pin), certType: 3, certNum: `RF${n(form)}`, visitEmpName: 'Res', visitReason: 'visit', visitDate: '2031-02-01 09:00:00', visitEndDate: '2031-02-01 10:00:00' }),
    effect: async (form) => {
      // The reservation is there: deleting it succeeds once (and only once).
      await ok(t.post('/api/visReservation/del', undefined, { certType: '3', certNum: `RF${n(form)}`, visitDate: '2031-02-01 09:00:00' }), form);
      expect((await t.post('/api/visReservation/del', undefined, { certType: '3', certNum: `RF${n(form)}`, visitDate: '2031-02-01 09:00:00' })).body.code, form).toBe(-248);
    },
  },
  {
    section: '2.8.2 attAreaPerson/set',
    path: '/api/attAreaPerson/set',
    params: async (form) => {
      await ok(t.post('/api/person/add', { pin: `79${n(form)}`, name: 'Area' }), form);
      return { code: 1, pins: [`79${n(form)}`] };
    },
    effect: async (form) => {
      const rows = await t.ds.query(`SELECT 1 FROM att_area_person ap JOIN person p ON p.id = ap.person_id WHERE ap.module = 'att' AND p.pin = $1`, [`79${n(form)}`]);
      expect(rows, form).toHaveLength(1);
    },
  },
  {
    section: '2.3.1 parkAuthorize/addBlackWhite',
    path: '/api/parkAuthorize/addBlackWhite',
    params: (form) => ({ type: 1, carNumber: `AB${8000 + n(form)}`, fromTime: '2024-01-01 00:00:00', toTime: '2030-01-01 00:00:00' }),
    effect: async (form) => {
      await ok(t.post('/api/parkAuthorize/delBlackWhite', undefined, { carNumber: `AB${8000 + n(form)}` }), form);
      expect((await t.post('/api/parkAuthorize/delBlackWhite', undefined, { carNumber: `AB${8000 + n(form)}` })).body.code, form).toBe(-223);
    },
  },
  {
    section: '2.11.8 door/remoteOpenById',
    path: '/api/door/remoteOpenById',
    // The panel has been heard from lately, as a polling one is: a remote action needs it online.
    params: async () => (await heardFrom(f.sim), { doorId: f.doors[1].id, interval: 7 }),
    effect: async (form) => {
      const queued = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND command LIKE 'CONTROL DEVICE%' ORDER BY id DESC LIMIT 1`, [f.sn]);
      // 01 open, the door's number, 01, the interval (7 s) in hex.
      expect(queued[0]?.command, form).toBe(`CONTROL DEVICE 01${f.doors[1].name.split('-').pop()!.padStart(2, '0')}0107`);
      await t.ds.query(`DELETE FROM device_command WHERE device_sn = $1 AND command LIKE 'CONTROL DEVICE%'`, [f.sn]);
    },
  },
];

describe('every write in every form a client sends, proven by the next read', () => {
  const cases = WRITES().flatMap((w) => FORMS.map((form) => [`${w.section} as ${form}`, w, form] as const));
  it.each(cases)('%s', async (_name, w, form) => {
    if (w.skip?.[form]) return;
    const res = await send(form, w.path, await w.params(form));
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body, res.text.slice(0, 300)).toEqual({ code: 0, message: 'success', data: null });
    await w.effect(form);
  });
});

/**
 * A list that ignores a filter claims more than it does: each documented filter of the access lists is sent with a
 * value that keeps some of the fixture's three events (pin 100 at 08:00 and 18:00 on door 1, a remote opening at
 * 12:00 on door 2, all on 2024-03-01) and one that keeps none, and the count is checked.
 */
describe('every documented list filter narrows the list', () => {
  const P = { pageNo: 1, pageSize: 50 };
  const window = { startDate: '2024-03-01 10:00:00', endDate: '2024-03-01 13:00:00' };
  const count = (r: HttpResult): number => {
    expect(r.body?.code ?? r.body?.ret, r.text.slice(0, 200)).toSatisfy((c: unknown) => c === 0 || c === 'ok');
    const d = r.body.data;
    return Array.isArray(d) ? d.length : d.data.length;
  };
  const cases = (): Array<[string, () => Promise<HttpResult>, number]> => [
    ['2.18.3 list, no filter', () => t.get('/api/transaction/list', P), 3],
    ['2.18.3 list, personPin', () => t.get('/api/transaction/list', { ...P, personPin: f.pin }), 2],
    ['2.18.3 list, an unknown personPin', () => t.get('/api/transaction/list', { ...P, personPin: 'nobody' }), 0],
    ['2.18.3 list, startDate/endDate', () => t.get('/api/transaction/list', { ...P, ...window }), 1],
    ['2.18.3 list, a bare day is that whole day', () => t.get('/api/transaction/list', { ...P, startDate: '2024-03-01', endDate: '2024-03-01' }), 3],
    ['2.18.3 list, another day', () => t.get('/api/transaction/list', { ...P, startDate: '2024-03-02', endDate: '2024-03-02' }), 0],
    ['2.18.4 v2 list, personPin and dates', () => t.get('/api/v2/transaction/list', { ...P, personPin: f.pin, startDate: '2024-03-01 12:00:00', endDate: '2024-03-01 23:59:59' }), 1],
    ['2.18.2 v2 by device, dates', () => t.get(`/api/v2/transaction/device/${f.sn}`, { ...P, ...window }), 1],
    ['2.18.2 v2 by an unknown device', () => t.get('/api/v2/transaction/device/NOPE', P), 0],
    ['2.18.7 v2 by person, dates', () => t.get(`/api/v2/transaction/person/${f.pin}`, { ...P, startDate: '2024-03-01 12:00:00', endDate: '2024-03-01 23:59:59' }), 1],
    ['2.18.8 firstInAndLastOut, another day', () => t.get(`/api/transaction/firstInAndLastOut/${f.pin}`, { ...P, startDate: '2024-03-02', endDate: '2024-03-02' }), 0],
    ['2.18.8 firstInAndLastOut, that day', () => t.get(`/api/transaction/firstInAndLastOut/${f.pin}`, { ...P, startDate: '2024-03-01', endDate: '2024-03-01' }), 1],
    ['2.18.10 getDoorTransactions, devSn', () => t.post('/api/transaction/getDoorTransactions', { ...P, devSn: 'NOPE' }), 0],
    ['2.18.10 getDoorTransactions, eventNo', () => t.post('/api/transaction/getDoorTransactions', { ...P, eventNo: '8' }), 1],
    ['2.18.10 getDoorTransactions, personPin', () => t.post('/api/transaction/getDoorTransactions', { ...P, personPin: f.pin }), 2],
    ['2.18.10 getDoorTransactions, filter', () => t.post('/api/transaction/getDoorTransactions', { ...P, filter: 'zzz' }), 0],
    ['2.18.10 getDoorTransactions, startTime/endTime', () => t.post('/api/transaction/getDoorTransactions', { ...P, startTime: window.startDate, endTime: window.endDate }), 1],
    ['2.18.11 v2 getDoorTransactions, personPin', () => t.post('/api/v2/transaction/getDoorTransactions', { content: { ...P, personPin: f.pin } }), 2],
    ['2.18.5 monitor, a timestamp after every event', () => t.get('/api/transaction/monitor', { timestamp: Date.now() + 60_000 }), 0],
    ['2.13.4 getPersonList, pins', () => t.post('/api/person/getPersonList', { ...P, pins: `${f.pin},nobody` }), 1],
    ['2.13.4 getPersonList, an unknown pin', () => t.post('/api/person/getPersonList', { ...P, pins: 'nobody' }), 0],
    ['2.13.9 v2 getPersonList, deptCodes', () => t.post('/api/v2/person/getPersonList', { ...P, deptCodes: 'nope' }), 0],
  ];
  it.each(cases().map(([name, call, want]) => [name, call, want] as const))('%s', async (_name, call, want) => {
    expect(count(await call())).toBe(want);
  });
});
