import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal } from './attendance-helpers';

// An attendance terminal's uploads with hostile values (NULs, control characters, huge numbers, bad dates, fields
// run into each other): never a 5xx, whatever the table, and the terminal still polls afterwards.
let t: TestApp;
let term: AttendanceTerminal;
beforeAll(async () => {
  t = await startTestApp();
  term = await initialisedTerminal(t, { sn: 'ATT-FUZZ-1' });
});
afterAll(async () => {
  await t?.close();
});

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('\0', '1\x002', '2026-01-01 00:00:00', '2026-02-30 25:61:00', '0000-00-00 00:00:00', '99999999999999999999', '-1', '0', '[15CD5B07]', '[zz]', '=', '\t', ''),
  fc.integer().map(String),
);
const KEYS = ['PIN', 'Name', 'Pri', 'Passwd', 'Card', 'Grp', 'TZ', 'Verify', 'ViceCard', 'FID', 'Size', 'Valid', 'TMP', 'No', 'Index', 'Type', 'Duress', 'MajorVer', 'MinorVer', 'Format', 'Tmp', 'FileName', 'Content', 'SN', 'IDNum'];
const record = fc.tuple(
  fc.constantFrom('USER', 'FP', 'FACE', 'FVEIN', 'BIODATA', 'USERPIC', 'BIOPHOTO', 'OPLOG', 'IDCARD', 'ERRORLOG', 'WORKCODE', 'SMS'),
  fc.array(fc.tuple(fc.constantFrom(...KEYS), hostile), { maxLength: 10 }),
).map(([prefix, fields]) => `${prefix} ${fields.map(([k, v]) => `${k}=${v}`).join('\t')}`);
const attlogLine = fc.array(hostile, { minLength: 1, maxLength: 9 }).map((f) => f.join('\t'));
const line = fc.oneof(record, attlogLine, fc.string({ unit: 'binary', maxLength: 60 }));
const body = fc.tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n')).map(([lines, sep]) => lines.join(sep));

it('never answers a hostile upload with a 5xx, and the terminal polls on', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('ATTLOG', 'OPERLOG', 'BIODATA', 'ATTPHOTO', 'IDCARD', 'ERRORLOG', 'options', 'rtstate'), body, async (table, text) => {
      const r = await term.uploadRaw(table, text);
      expect(r.status).toBeLessThan(500);
    }),
    { numRuns: 250 },
  );
  await term.poll();
});

const ATT_QUERY_KEYS = ['options', 'pushver', 'language', 'pushcommkey', 'DeviceType', 'INFO', 'Stamp', 'OpStamp', 'PhotoStamp', 'table', 'PIN', 'ContentType', 'type'];
const query = fc.array(fc.tuple(fc.constantFrom(...ATT_QUERY_KEYS), hostile), { maxLength: 6 });
const get = (path: string, params: Array<[string, string]>) =>
  fetch(`${t.baseUrl}${path}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`, { headers: { 'User-Agent': 'iClock Proxy/1.09' } });

it('never answers a hostile initialisation, poll or command result with a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/iclock/cdata', '/iclock/getrequest', '/iclock/devicecmd', '/iclock/fdata', '/iclock/ping'),
      fc.constantFrom('ATT-FUZZ-1', 'ATT-FUZZ-2'),
      query,
      body,
      async (path, sn, params, text) => {
        const all: Array<[string, string]> = [['SN', sn], ...params];
        const g = await get(path, all);
        expect(g.status).toBeLessThan(500);
        await g.arrayBuffer();
        const p = await fetch(`${t.baseUrl}${path}?${all.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`, { method: 'POST', body: text, headers: { 'User-Agent': 'iClock Proxy/1.09' } });
        expect(p.status).toBeLessThan(500);
        await p.arrayBuffer();
      },
    ),
    { numRuns: 200 },
  );
  // Command results naming commands the terminal never got, with hostile values.
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(hostile, hostile, hostile), { maxLength: 5 }), async (results) => {
      const text = results.map(([id, ret, cmd]) => `ID=${id}&Return=${ret}&CMD=${cmd}`).join('\n');
      const r = await fetch(`${t.baseUrl}/iclock/devicecmd?SN=ATT-FUZZ-1`, { method: 'POST', body: text });
      expect(r.status).toBeLessThan(500);
      await r.arrayBuffer();
    }),
    { numRuns: 150 },
  );
  expect(await term.init()).toBe(true);
});
