import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommaList, parseQuery, parseTabRecord } from './kv';
import { DOOR_STATUS_EVENT, parseRtlog, parseRtstate } from './rtlog';
import { parseDeviceCmd } from './devicecmd';
import { parseQueryData, parseTableData } from './tabledata';
import { parseRegistrationBody, chooseDialect } from './registry';
import { parseGetrequestBody } from './command-line';
import { dataUpdateUser, formatFields } from './commands';
import { ProtocolValueError } from './errors';

const RUNS = { numRuns: 150 };

// Bodies built from the protocol's own alphabet hit the separators far more often than random text.
const protoChar = fc.constantFrom('=', '\t', '\n', '\r', ',', '&', ' ', '~', ':', 'C', 'I', 'D', 'a', '0', '1', '-', '\0', '\uFFFD', 'é', '[', ']');
const protoText = fc.array(protoChar, { maxLength: 200 }).map((a) => a.join(''));
const anyBody = fc.oneof(fc.string({ maxLength: 300 }), protoText, fc.string({ unit: 'binary', maxLength: 100 }));

/** A line that cannot look like a record of any parser (no '=', no separators). */
const garbage = fc.stringMatching(/^[a-z #!.]{1,30}$/).filter((s) => s.trim() !== '');
const safeValue = fc.stringMatching(/^[A-Za-z0-9 .,:\/+-]{0,20}$/);
const digits = fc.integer({ min: 0, max: 999999 }).map(String);

const eventLine = fc.record({ pin: digits, event: fc.oneof(fc.integer({ min: 0, max: 6999 }), fc.constant(DOOR_STATUS_EVENT)), index: fc.integer({ min: 0, max: 1e6 }), name: safeValue }).map(
  (r) => `time=2026-05-04 03:02:01\tpin=${r.pin}\tcardno=0\teventaddr=1\tevent=${r.event}\tinoutstatus=0\tverifytype=1\tindex=${r.index}\tx=${r.name}`,
);
const resultLine = fc.record({ id: fc.integer({ min: 1, max: 1e9 }), rc: fc.integer({ min: -5000, max: 5000 }) }).map((r) => `ID=${r.id}&Return=${r.rc}&CMD=DATA`);
const userLine = fc.record({ pin: digits, name: safeValue }).map((r) => `user uid=1\tpin=${r.pin}\tname=${r.name}\tprivilege=0`);

/** Interleaves good lines with garbage and random line endings. */
function mixed(good: fc.Arbitrary<string>) {
  return fc
    .array(fc.tuple(fc.boolean(), good, garbage, fc.constantFrom('\n', '\r\n', '\r')), { minLength: 1, maxLength: 12 })
    .map((rows) => ({ rows, body: rows.map(([g, line, junk, eol]) => (g ? line : junk) + eol).join('') }));
}

describe('fuzz: parsers never throw on malformed bodies', () => {
  it('any body', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        parseRtlog(body);
        parseRtstate(body);
        parseDeviceCmd(body);
        parseTableData('user', body);
        parseTableData('biodata', body);
        parseTableData('whatever', body);
        parseQueryData('type=tabledata&tablename=user', body);
        parseQueryData('type=count&tablename=user', body);
        parseQueryData(body, body);
        parseQuery(body);
        parseCommaList(body);
        parseTabRecord(body);
        parseGetrequestBody(body);
        chooseDialect(parseRegistrationBody(body).capabilities);
      }),
      RUNS,
    );
  });

  it('every line is accounted for: results + rejected never exceed non-empty lines', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const lines = body.split(/\r*\n|\r/).filter((l) => l.replace(/\0+$/, '').trim() !== '').length;
        const r = parseRtlog(body);
        expect(r.results.length + r.rejected.length).toBe(lines);
        const t = parseTableData('user', body);
        expect(t.results.length + t.rejected.length).toBe(lines);
      }),
      RUNS,
    );
  });
});

describe('fuzz: good lines survive garbage', () => {
  it('rtlog events', () => {
    fc.assert(
      fc.property(mixed(eventLine), ({ rows, body }) => {
        // Event 255 without sensor/relay/alarm is a door status report, not an access event: rejected (kept raw).
        const access = (line: string) => Number(/\tevent=(\d+)/.exec(line)![1]) !== DOOR_STATUS_EVENT;
        const want = rows.filter(([g, line]) => g && access(line)).map(([, line]) => Number(/index=(\d+)/.exec(line)![1]));
        const r = parseRtlog(body);
        expect(r.results.map((e) => (e.kind === 'event' ? e.index : -1))).toEqual(want);
        expect(r.rejected).toHaveLength(rows.length - want.length);
      }),
      RUNS,
    );
  });

  it('devicecmd results (garbage before the first result is rejected, after it is content)', () => {
    fc.assert(
      fc.property(mixed(resultLine), ({ rows, body }) => {
        const want = rows.filter(([g]) => g).map(([, line]) => /ID=(\d+)/.exec(line)![1]);
        expect(parseDeviceCmd(body).results.map((x) => x.id)).toEqual(want);
      }),
      RUNS,
    );
  });

  it('user table uploads', () => {
    fc.assert(
      fc.property(mixed(userLine), ({ rows, body }) => {
        const want = rows.filter(([g]) => g).map(([, line]) => /pin=(\d+)/.exec(line)![1]);
        expect(parseTableData('user', body).results.map((u) => (u.kind === 'user' ? u.pin : ''))).toEqual(want);
      }),
      RUNS,
    );
  });
});

describe('fuzz: builders', () => {
  it('either refuse a value or produce one field per value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        let out: string;
        try {
          out = formatFields([['Name', name], ['Pin', 1]]);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolValueError);
          expect(/[\t\r\n\0]/.test(name)).toBe(true);
          return;
        }
        expect(out.split('\t')).toEqual([`Name=${name}`, 'Pin=1']);
        const cmd = dataUpdateUser({ pin: 1, name });
        expect(parseGetrequestBody(`C:1:${cmd}`).results).toHaveLength(1);
      }),
      RUNS,
    );
  });
});
