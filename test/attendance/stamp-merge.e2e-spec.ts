import { afterAll, beforeAll, expect, it } from 'vitest';
import { laterStamp, mergeStampSql } from '../../src/push/attendance/attlog-batch';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The SQL that merges an upload's Stamp into a terminal's stamps (ATTLOG batches, other uploads' NOTE_UPLOAD)
 * takes what laterStamp (the gateway's own rule) takes for an upload that stored nothing new: a numeric Stamp (1 to
 * 30 digits) lower than a numeric one held is not taken, anything else is; an upload that stored something new has
 * its Stamp taken, lower or not (the terminal's numbering started again); the other tables' Stamps stay as they are. Written for one table and
 * without a bounded regular expression since stop 45 (performance log); this pins the rule it must keep.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const CASES: Array<[string | null, string]> = [
  [null, '5'],
  ['5', '4'],
  ['5', '6'],
  ['5', '5'],
  ['0010', '9'],
  ['9', '0010'],
  ['1'.repeat(30), '9'],
  ['1'.repeat(31), '9'],
  ['9', '1'.repeat(31)],
  ['abc', '1'],
  ['7', 'abc'],
  ['', '1'],
  ['7', ''],
  ['1 ', '0'],
  ['12x', '3'],
];

it('keeps the higher numeric Stamp of a table unless the upload brought something new, leaving the other tables alone', async () => {
  for (const fresh of [false, true]) {
    for (const [held, incoming] of CASES) {
      const stamps = held === null ? { OPERLOG: '3' } : { OPERLOG: '3', ATTLOG: held };
      const [row] = await t.ds.query(`SELECT ${mergeStampSql('$1::jsonb', `'ATTLOG'`, `jsonb_build_object('ATTLOG', $2::text)`, '$3::boolean')} AS stamps`, [
        JSON.stringify(stamps),
        incoming,
        fresh,
      ]);
      const taken = fresh ? incoming : laterStamp(held, incoming);
      expect({ held, incoming, fresh, stamps: row.stamps }).toEqual({ held, incoming, fresh, stamps: { OPERLOG: '3', ATTLOG: taken } });
    }
  }
  const [none] = await t.ds.query(`SELECT ${mergeStampSql('NULL::jsonb', `'ATTLOG'`, `jsonb_build_object('ATTLOG', '12'::text)`)} AS stamps`);
  expect(none.stamps).toEqual({ ATTLOG: '12' });
});
