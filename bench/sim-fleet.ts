/**
 * Simulated panels in a process of their own (forked by convergence.bench.ts), so that the bench's RSS is the
 * gateway's alone: 100,000 users on ten simulated panels are ten in-memory user and rights tables, which
 * would otherwise be counted as the gateway's memory. Driven over IPC; answers each request with its result.
 *
 *   { op: 'connect', baseUrl, count }   registers `count` panels CONV00000… (4 doors each) → { sns }
 *   { op: 'drain' }                     every panel polls until the gateway has nothing more → { polls, records }
 *   { op: 'poll', on, everyMs, busy }   panels keep polling until told to stop → {}: a poll every `everyMs` (default
 *                                       1000, from the start of one poll to the next, as firmware polls on its
 *                                       RequestDelay), or, with `busy`, again at once after a reply that held commands
 *   { op: 'rss' }                       → { peakRss } (VmHWM of this process, bytes)
 */
import { readFileSync } from 'node:fs';
import { DeviceSimulator } from '../test/simulator/device-simulator';

let sims: DeviceSimulator[] = [];
let polling: Promise<unknown> | null = null;
let stop = false;

/** Only what the bench counts is kept: the log of received commands and acknowledgements would grow with every record. */
function forget(s: DeviceSimulator): void {
  s.received.length = 0;
  s.acknowledged.length = 0;
}

async function drain(): Promise<{ polls: number; records: number }> {
  let polls = 0;
  let records = 0;
  await Promise.all(
    sims.map(async (s) => {
      for (;;) {
        polls++;
        const got = await s.poll();
        records += got.reduce((n, c) => n + (c.command.startsWith('DATA UPDATE') ? 1 + c.continuation.length : 0), 0);
        forget(s);
        if (got.length === 0) break;
      }
    }),
  );
  return { polls, records };
}

function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

process.on('message', (msg: { id: number; op: string; baseUrl?: string; count?: number; on?: boolean; everyMs?: number; busy?: boolean }) => {
  const answer = (result: unknown) => process.send?.({ id: msg.id, result });
  const fail = (e: unknown) => process.send?.({ id: msg.id, error: String((e as Error)?.stack ?? e) });
  (async () => {
    if (msg.op === 'connect') {
      sims = Array.from({ length: msg.count ?? 0 }, (_, i) => new DeviceSimulator({ baseUrl: msg.baseUrl!, sn: `CONV${String(i).padStart(5, '0')}`, doors: 4, ipAddress: `10.7.0.${i + 1}`, maxExchanges: 20 }));
      for (const s of sims) {
        await s.connect();
        await s.pollUntilIdle();
        forget(s);
      }
      return { sns: sims.map((s) => s.sn) };
    }
    if (msg.op === 'drain') return drain();
    if (msg.op === 'poll' && msg.on) {
      stop = false;
      polling = Promise.all(
        sims.map(async (s) => {
          while (!stop) {
            const started = Date.now();
            const got = await s.poll();
            forget(s);
            if (msg.busy && got.length > 0) continue;
            await new Promise((r) => setTimeout(r, Math.max(0, started + (msg.everyMs ?? 1000) - Date.now())));
          }
        }),
      );
      return {};
    }
    if (msg.op === 'poll') {
      stop = true;
      await polling;
      return {};
    }
    if (msg.op === 'rss') return { peakRss: peakRss() };
    throw new Error(`unknown op ${msg.op}`);
  })().then(answer, fail);
});
process.on('disconnect', () => process.exit(0));
