/**
 * Integrator clients writing persons, in a process of their own (forked by bench/convergence.bench.ts), as an
 * HR system does from its own machine: the gateway's event loop then serves requests only, and the CPU the
 * clients use is reported apart. Keep-alive node:http connections, one request at a time each.
 *
 * Message in:  { baseUrl, token, clients, count, firstPin, levelId }
 * Message out: { ms, cpuMs, failed: string[] }  (after every `person/add` answered)
 */
import * as http from 'node:http';

interface Plan {
  baseUrl: string;
  token: string;
  clients: number;
  count: number;
  firstPin: number;
  levelId: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, body: string): Promise<{ code: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code: number });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(plan: Plan): Promise<{ ms: number; cpuMs: number; failed: string[] }> {
  const url = new URL(`/api/person/add?access_token=${plan.token}`, plan.baseUrl);
  const failed: string[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.clients }, async () => {
      for (let i = next++; i < plan.count; i = next++) {
        const pin = String(plan.firstPin + i);
        const r = await post(url, JSON.stringify({ pin, name: `Add${i}`, accLevelIds: plan.levelId }));
        if (r.code !== 0) failed.push(`${pin}: ${r.code}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { ms: Date.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, failed };
}

process.once('message', (plan: Plan) => {
  run(plan).then(
    (out) => process.send!(out, () => process.exit(0)),
    (e: unknown) => process.send!({ ms: 0, cpuMs: 0, failed: [String(e)] }, () => process.exit(1)),
  );
});
