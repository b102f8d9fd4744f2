import { countEvents } from './scratch-db';
import { percentile, pool, request } from './http';

/**
 * Device-side load phases shared by the benches. Each takes the gateway ports; with several, requests go to
 * them in turn, as a round-robin load balancer would send them.
 */

export const snOf = (i: number) => `BENCH${String(i).padStart(6, '0')}`;

function roundRobin(ports: number[]): () => number {
  let n = 0;
  return () => ports[n++ % ports.length];
}

/** Handshake, registry and push for every SN (bounded concurrency). Returns the seconds it took. */
export async function registerDevices(ports: number[], sns: string[], concurrency = 32): Promise<number> {
  const next = roundRobin(ports);
  const t0 = Date.now();
  await pool(sns, concurrency, async (sn) => {
    const port = next();
    await request(port, 'GET', `/iclock/cdata?SN=${sn}&options=all&pushver=3.1.2`);
    const r = await request(
      port,
      'POST',
      `/iclock/registry?SN=${sn}`,
      `DeviceType=acc,~DeviceName=Bench,FirmVer=AC Ver 5.7,PushVersion=Ver 3.1.2S-20240809,LockCount=2,ReaderCount=4,AuxInCount=0,AuxOutCount=0,IPAddress=10.0.0.1,MaxPackageSize=2048000`,
    );
    if (!r.body.startsWith('RegistryCode=')) throw new Error(`registration of ${sn} failed: ${r.status} ${r.body}`);
    await request(port, 'POST', `/iclock/push?SN=${sn}`, '');
  });
  return (Date.now() - t0) / 1000;
}

export interface PollFigures {
  polls: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  nonOk: number;
}

/** Idle getrequest polls over `sns` for `seconds` (after one warm-up poll per SN and port). */
export async function idlePolls(ports: number[], sns: string[], seconds: number, concurrency: number): Promise<PollFigures> {
  for (const port of ports) await pool(sns, 16, async (sn) => void (await request(port, 'GET', `/iclock/getrequest?SN=${sn}`)));
  const next = roundRobin(ports);
  const latencies: number[] = [];
  let nonOk = 0;
  let k = 0;
  const t0 = Date.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const sn = sns[k++ % sns.length];
        const s = process.hrtime.bigint();
        const r = await request(next(), 'GET', `/iclock/getrequest?SN=${sn}`);
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (r.status !== 200 || r.body !== 'OK') nonOk++;
      }
    }),
  );
  const elapsed = (Date.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { polls: latencies.length, seconds: elapsed, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), nonOk };
}

export interface IngestFigures {
  uploads: number;
  stored: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * rtlog uploads of `perUpload` events from the first `devices` SNs for `seconds`, `concurrency` at a time;
 * counts the rows actually stored. `indexBase` keeps the event indexes of successive runs apart.
 */
export async function rtlogIngest(
  ports: number[],
  dbUrl: string,
  opts: { seconds: number; concurrency: number; devices: number; perUpload: number; indexBase?: number },
): Promise<IngestFigures> {
  const next = roundRobin(ports);
  const before = await countEvents(dbUrl);
  const counters = new Array(opts.devices).fill(opts.indexBase ?? 0);
  let uploads = 0;
  let slot = 0;
  const t0 = Date.now();
  const stop = t0 + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (Date.now() < stop) {
        const d = slot++ % opts.devices;
        const base = counters[d];
        counters[d] += opts.perUpload;
        const lines: string[] = [];
        for (let k = 0; k < opts.perUpload; k++) {
          const index = base + k + 1;
          const s = index % 86400;
          const time = `2026-07-01 ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
          lines.push(`time=${time}\tpin=${1000 + (index % 500)}\tcardno=0\tsitecode=0\tlinkid=0\teventaddr=${1 + (index % 2)}\tevent=0\tinoutstatus=${index % 2}\tverifytype=1\tindex=${index}`);
        }
        const r = await request(next(), 'POST', `/iclock/cdata?SN=${snOf(d)}&table=rtlog&Stamp=9999`, lines.join('\n'));
        if (r.body !== 'OK') throw new Error(`rtlog upload failed: ${r.status} ${r.body}`);
        uploads++;
      }
    }),
  );
  const seconds = (Date.now() - t0) / 1000;
  const stored = (await countEvents(dbUrl)) - before;
  return { uploads, stored, seconds, eventsPerSecond: stored / seconds };
}
