/**
 * The acknowledgement of attendance uploads, byte for byte as the manual prints it: `OK: <n>` for ATTLOG (11.2) and
 * OPERLOG (11.4, 11.5), `OK:<n>` for a data packet (11.14, `ContentType=tgz`: "OK:${XXX}", its example `OK:1`),
 * where `<n>` is "the number of records successfully processed": a line refused (kept raw) is none, a record sent
 * again and already held is one. Before, a refused line was counted, and a packet was answered `OK: <n>`.
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const rejectedOf = async (sn: string, table: string): Promise<number> =>
  (await t.ds.query(`SELECT count(*)::int AS n FROM device_upload WHERE device_sn = $1 AND table_name = $2`, [sn, `${table}.rejected`]))[0].n;

describe('the reply to an attendance upload', () => {
  it('ATTLOG: a bad line between good ones is not counted, the good ones are stored, and the same upload again is answered alike and stored once', async () => {
    const sn = 'ATT-REPLY-LOG';
    const term = await initialisedTerminal(t, { sn });
    const body = ['8101\t2026-03-02 08:01:00\t0\t1\t0\t0\t0', '8101\t2026-03-02 08:0X:00\t0\t1', '8102\t2026-03-02 08:02:00\t0\t1\t0\t0\t0', '8103\t2026-03-02 08:03:00\t0\t1\t0\t0\t0', ''].join('\n');
    for (let i = 0; i < 2; i++) {
      const r = await term.uploadRaw('ATTLOG', body);
      expect(r.status).toBe(200);
      expect(Buffer.from(r.body)).toEqual(Buffer.from('OK: 3'));
    }
    expect((await punchesOf(t, sn)).map((p: { pin: string }) => p.pin)).toEqual(['8101', '8102', '8103']);
    expect(await rejectedOf(sn, 'ATTLOG')).toBeGreaterThanOrEqual(1);
  });

  it('OPERLOG: the records processed, not the lines received', async () => {
    const sn = 'ATT-REPLY-OPLOG';
    const term = await initialisedTerminal(t, { sn });
    const lines = ['OPLOG 4\t0\t2026-03-02 08:01:00\t0\t0\t0\t0', 'OPLOG\tgarbage', 'OPLOG 5\t0\t2026-03-02 08:02:00\t0\t0\t0\t0'];
    const r = await term.uploadOperlog(lines);
    expect(Buffer.from(r.body)).toEqual(Buffer.from('OK: 2'));
    expect(await rejectedOf(sn, 'OPERLOG')).toBe(1);
  });

  it('a data packet (ContentType=tgz) is answered OK:<n>, as 11.14 prints it', async () => {
    const sn = 'ATT-REPLY-TGZ';
    const term = await initialisedTerminal(t, { sn });
    const r = await term.uploadPacket('OPERLOG', ['OPLOG 4\t0\t2026-03-02 08:01:00\t0\t0\t0\t0', 'OPLOG 5\t0\t2026-03-02 08:02:00\t0\t0\t0\t0']);
    expect(Buffer.from(r.body)).toEqual(Buffer.from('OK:2'));
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM att_operlog WHERE device_sn = $1`, [sn]);
    expect(n).toBe(2);
  });

  it('a command Return past 32 bits is refused alone: the results posted with it are recorded, the post answered OK, not 503 for ever', async () => {
    const sn = 'ATT-REPLY-RETURN';
    const term = await initialisedTerminal(t, { sn });
    await term.drain();
    for (const action of ['info', 'log', 'check']) expect((await t.post(`/api/gateway/attendance/terminals/${sn}/command`, { action })).body.code).toBe(0);
    term.holdResults();
    const ran = await term.poll();
    term.dropHeldResults();
    const idOf = (command: string) => ran.find((c) => c.command === command)!.id;
    // 13: one post, a result a line (the INFO result with its content lines). The database held no such Return:
    // the whole post failed, 503 "send them again", and the same post failed again.
    const body = [`ID=${idOf('INFO')}&Return=0&CMD=INFO`, 'UserCount=0', `ID=${idOf('LOG')}&Return=-99999999999&CMD=LOG`, `ID=${idOf('CHECK')}&Return=0&CMD=CHECK`, ''].join('\n');
    const r = await fetch(`${t.baseUrl}/iclock/devicecmd?SN=${sn}`, { method: 'POST', body });
    expect([r.status, await r.text()]).toEqual([200, 'OK']);
    const listed = (await t.get(`/api/gateway/devices/${sn}/commands`, { pageSize: 50 })).body.data.data as Array<{ command: string; state: string; returnCode: number | null }>;
    const stateOf = (command: string) => listed.filter((c) => c.command === command).map((c) => [c.state, c.returnCode]);
    expect(stateOf('INFO')).toEqual([['done', 0]]);
    expect(stateOf('CHECK')).toEqual([['done', 0]]);
    expect(stateOf('LOG')).toEqual([['sent', null]]);
  });
});
