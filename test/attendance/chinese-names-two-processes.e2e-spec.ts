/**
 * A terminal's language, and so the encoding of what it is sent (GBK with `charset=GBK` after `language=83`, else
 * UTF-8: chinese-names.e2e-spec.ts), is known to every gateway process on the database, not only to the one that
 * handled its initialisation: a terminal behind a load balancer initialises against one process and polls another.
 * The initialisation that changes the language sends the `device_changed` NOTIFY, on which each process reads the
 * terminal's language again (idle polls still cost no query). Two real processes (`node dist/src/main.js`, needs
 * `npm run build`) on a real PostgreSQL server: skipped on the embedded database (one process only).
 */
import { describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { GatewayProcess } from '../support/gateway-process';
import { onEmbedded, useTwoGateways } from '../support/two-gateways';
import { recordingFetch, type SeenAnswer } from './attendance-helpers';

const onPglite = onEmbedded();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SN = 'ATT-CN-2PROC';
const ZHANG_SAN_GBK = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);
const ZHANG_SAN_UTF8 = Buffer.from('张三', 'utf8');
const LI_SI_GBK = Buffer.from([0xc0, 0xee, 0xcb, 0xc4]);
const LI_SI_UTF8 = Buffer.from('李四', 'utf8');
/** Well over a NOTIFY's way between two processes on one machine, well under a terminal's poll interval times a few. */
const PROMPTLY_MS = 5000;

const g = useTwoGateways();

/**
 * The content type of `via`'s answer to a poll of the terminal (an idle one, `OK`, from the fast path, unless a
 * command is queued: the area's users, which a terminal's first initialisation is owed, may be queued late).
 */
async function pollType(via: GatewayProcess, sn = SN): Promise<string> {
  const res = await fetch(`${via.baseUrl}/iclock/getrequest?SN=${sn}`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return res.headers.get('content-type') ?? '';
}

/** Polls `via` until its answers to the terminal carry `contentType` (fails after PROMPTLY_MS). */
async function untilAnswered(via: GatewayProcess, contentType: string, sn = SN): Promise<void> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < PROMPTLY_MS) {
    last = await pollType(via, sn);
    if (last === contentType) return;
    await sleep(25);
  }
  throw new Error(`process ${via.baseUrl} still answers ${sn} with ${last}, not ${contentType}, ${PROMPTLY_MS} ms after its initialisation elsewhere`);
}

/**
 * A person added through A (area 1) reaches the terminal, set to `language`, polling B: the name as the terminal
 * reads it, its bytes in the USERINFO reply `sent` (never `notSent`), and every answer of B with `contentType`.
 */
async function deliveredThroughB(language: string, pin: string, name: string, contentType: string, bytes: { sent: Buffer; notSent: Buffer }): Promise<void> {
  const seen: SeenAnswer[] = [];
  const atB = new AttendanceTerminal({ baseUrl: g.b.baseUrl, sn: SN, language, fetch: recordingFetch(seen) });
  expect((await g.a.api('POST', '/api/person/add', { pin, name })).body.code).toBe(0);
  expect((await g.a.api('POST', '/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
  // Drained until the user arrives (bounded): a poll meeting the terminal's queue held by the other process (its
  // planner, after the initialisation there) is answered idle, and a drain stops at the first idle poll.
  const got = await atB.drain();
  const userSent = () => got.some((d) => d.command.startsWith(`DATA UPDATE USERINFO PIN=${pin}\t`));
  for (const t0 = Date.now(); !userSent() && Date.now() - t0 < PROMPTLY_MS; await sleep(50)) got.push(...(await atB.drain()));
  expect(got.filter((d) => d.command.startsWith(`DATA UPDATE USERINFO PIN=${pin}\t`)).map((d) => d.returnCode)).toEqual([0]);
  expect(atB.users.get(pin)?.name).toBe(name);
  const delivery = seen.find((s) => s.bytes.includes(`PIN=${pin}\t`));
  expect(delivery?.contentType).toBe(contentType);
  expect(delivery?.bytes.includes(bytes.sent)).toBe(true);
  expect(delivery?.bytes.includes(bytes.notSent)).toBe(false);
  expect(seen.filter((s) => s.contentType !== contentType)).toEqual([]);
}

describe.skipIf(onPglite)('a terminal that initialises against process A and polls process B', () => {
  it('gets GBK from B after a language-83 initialisation at A, and UTF-8 from B again after a language-69 one', async () => {
    // Set to Chinese, the terminal initialises at A; B, started before, learns it from A's notification.
    const atA = new AttendanceTerminal({ baseUrl: g.a.baseUrl, sn: SN, language: '83' });
    expect(await atA.init()).toBe(true);
    await untilAnswered(g.b, 'text/plain;charset=GBK');

    // A person with a Chinese name reaches the terminal through B in GBK.
    await deliveredThroughB('83', '7001', '张三', 'text/plain;charset=GBK', { sent: ZHANG_SAN_GBK, notSent: ZHANG_SAN_UTF8 });

    // Set to English at the terminal: it initialises again, at A; B answers UTF-8 again.
    const enAtA = new AttendanceTerminal({ baseUrl: g.a.baseUrl, sn: SN, language: '69' });
    expect(await enAtA.init()).toBe(true);
    await untilAnswered(g.b, 'text/plain;charset=UTF-8');
    await deliveredThroughB('69', '7002', '李四', 'text/plain;charset=UTF-8', { sent: LI_SI_UTF8, notSent: LI_SI_GBK });

    // A itself follows the terminal's last initialisation, as before.
    expect(await pollType(g.a)).toBe('text/plain;charset=UTF-8');
  });

  it('works the other way round (set to Chinese at B: A answers GBK), and an initialisation keeping the language keeps it everywhere', async () => {
    const sn = 'ATT-CN-2PROC-B';
    const initAt = async (via: GatewayProcess, language: string) => {
      expect(await new AttendanceTerminal({ baseUrl: via.baseUrl, sn, language }).init()).toBe(true);
    };
    await initAt(g.a, '69');
    expect(await pollType(g.a, sn)).toBe('text/plain;charset=UTF-8');
    expect(await pollType(g.b, sn)).toBe('text/plain;charset=UTF-8');
    await initAt(g.b, '83');
    await untilAnswered(g.a, 'text/plain;charset=GBK', sn);
    await initAt(g.a, '83');
    for (let i = 0; i < 5; i++) {
      expect(await pollType(g.b, sn)).toBe('text/plain;charset=GBK');
      expect(await pollType(g.a, sn)).toBe('text/plain;charset=GBK');
    }
  });
});
