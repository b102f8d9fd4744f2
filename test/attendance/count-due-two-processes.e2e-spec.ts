/**
 * The user count check a re-initialisation owes (att_terminal.count_due: a factory-reset terminal reports 0 users in
 * its next INFO and gets its users back) is made by whichever gateway process that INFO reaches: a terminal behind a
 * load balancer initialises against one process and polls another. The initialisation, and the check once made, send
 * the `device_changed` NOTIFY, on which every process reads the terminal's state again. Two real processes (`node
 * dist/src/main.js`, needs `npm run build`) on a real PostgreSQL server: skipped on the embedded database.
 */
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { GatewayProcess } from '../support/gateway-process';
import { onEmbedded, useTwoGateways } from '../support/two-gateways';

const onPglite = onEmbedded();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SN = 'ATT-CD-2PROC';

const g = useTwoGateways();

const pinsOn = (term: AttendanceTerminal) => [...term.users.keys()].sort();
async function countDue(): Promise<boolean | undefined> {
  const c = new Client({ connectionString: g.db.url });
  await c.connect();
  try {
    return (await c.query(`SELECT t.count_due FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [SN])).rows[0]?.count_due;
  } finally {
    await c.end();
  }
}

/** Polls (with INFO, as a terminal does now and then) until the terminal holds `pins`, or fails after 20 s. */
async function untilHolds(term: AttendanceTerminal, pins: string[]): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 20_000) {
    await term.poll(true);
    await term.drain();
    if (JSON.stringify(pinsOn(term)) === JSON.stringify(pins)) return;
    await sleep(200);
  }
  expect(pinsOn(term)).toEqual(pins);
}

describe.skipIf(onPglite)('the user count check owed by a re-initialisation, across two gateway processes', () => {
  it('reset and initialised again at A, its INFO with 0 users at B: B makes the check, the users come back, the check is done once', async () => {
    const term = new AttendanceTerminal({ baseUrl: g.a.baseUrl, sn: SN });
    expect(await term.init()).toBe(true);
    for (const pin of ['8501', '8502']) expect((await g.a.api('POST', '/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    expect((await g.a.api('POST', '/api/attAreaPerson/set', { code: '1', pins: ['8501', '8502'] })).body.code).toBe(0);
    await untilHolds(term, ['8501', '8502']);
    // B has read this terminal's INFO already (the same INFO later is not read again unless a check is owed).
    term.moveTo(g.b.baseUrl);
    await term.poll(true);
    term.moveTo(g.a.baseUrl);
    expect(await countDue()).toBe(false);

    expect(await term.factoryReset()).toBe(true);
    expect(term.users.size).toBe(0);
    expect(await countDue()).toBe(true);
    term.moveTo(g.b.baseUrl);
    await untilHolds(term, ['8501', '8502']);
    const t0 = Date.now();
    while ((await countDue()) && Date.now() - t0 < 10_000) await sleep(100);
    expect(await countDue()).toBe(false);
  });
});
