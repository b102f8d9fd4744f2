import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { freePort, GatewayProcess } from '../support/gateway-process';
import { TEST_TOKEN } from '../support/test-app';

/**
 * The embedded database (no DATABASE_URL) after `kill -9` of the gateway: the process restarts on the same
 * DATA_DIR by itself (the lock and PGlite's files left by the dead process), with everything it acknowledged. The
 * data directory starts as a copy of the migrated template (an initdb would take most of a minute), so this runs
 * where the tests run on the embedded database.
 */
const plan = inject('testDb');
const templateFile = plan.mode === 'embedded' ? plan.templateFile : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
let g: GatewayProcess | undefined;

afterAll(async () => {
  await g?.kill();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function seededDataDir(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgw-crash-'));
  dirs.push(dataDir);
  const db = new PGlite(path.join(dataDir, 'pgdata'), { loadDataDir: new Blob([fs.readFileSync(templateFile!)]) });
  await db.waitReady;
  await db.close();
  return dataDir;
}

describe.runIf(templateFile)('kill -9 on the embedded database', () => {
  it('starts again on the same data directory with every acknowledged write', { timeout: 60_000 }, async () => {
    const dataDir = await seededDataDir();
    g = await GatewayProcess.create('', { DATA_DIR: dataDir });
    await g.start();
    const sim = new DeviceSimulator({ baseUrl: g.baseUrl, sn: 'CRASH-EMB', doors: 2 });
    expect((await sim.connect()).registered).toBe(true);

    // Writers keep going while the process is killed: REST person writes and rtlog uploads.
    const acknowledgedPins: string[] = [];
    const acknowledgedCards: number[] = [];
    let stop = false;
    const persons = (async () => {
      for (let n = 0; !stop; n++) {
        const pins = Array.from({ length: 20 }, (_, i) => String(800_000 + n * 20 + i));
        const r = await g!.api('POST', '/api/v2/person/addPersons', pins.map((pin) => ({ pin, name: `E${pin}`, deptCode: '1' }))).catch(() => undefined);
        if (r?.body?.code === 0) acknowledgedPins.push(...pins);
        else return;
      }
    })();
    const uploads = (async () => {
      for (let n = 0; !stop; n++) {
        const cards = Array.from({ length: 10 }, (_, i) => 900_000 + n * 10 + i);
        const r = await sim.uploadRtlog(cards.map((cardno) => ({ pin: 0, cardno, event: 0 }))).catch(() => undefined);
        if (r?.body === 'OK') acknowledgedCards.push(...cards);
        else return;
      }
    })();
    // Killed while both writers are going: after each has had a write acknowledged (a loaded machine may take
    // seconds for the first), and a little more so that writes are in flight at the kill.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && (acknowledgedPins.length === 0 || acknowledgedCards.length === 0); ) await sleep(50);
    await sleep(500);
    await g.kill();
    stop = true;
    await Promise.all([persons, uploads]);
    expect(acknowledgedPins.length).toBeGreaterThan(0);
    expect(acknowledgedCards.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dataDir, 'gateway.lock'))).toBe(true); // left by the dead process

    await g.start(45_000);
    // One pin of each acknowledged call (a call is stored whole or not at all: crash.e2e-spec.ts).
    for (const pin of acknowledgedPins.filter((_, i) => i % 20 === 19)) expect([pin, (await g.api('GET', `/api/person/get/${pin}`)).body.code]).toEqual([pin, 0]);
    const cards = new Set<number>();
    for (let pageNo = 1; ; pageNo++) {
      const page = await g.api<{ code: number; data: Array<{ cardNo: string }> }>('GET', `/api/transaction/device/CRASH-EMB?pageNo=${pageNo}&pageSize=1000`);
      expect(page.body.code).toBe(0);
      for (const e of page.body.data) cards.add(Number(e.cardNo));
      if (page.body.data.length < 1000) break;
    }
    expect(acknowledgedCards.filter((c) => !cards.has(c))).toEqual([]);
  });
});

/** `npm start` in the repository, as a newcomer runs it (no DATABASE_URL: the embedded database under DATA_DIR). */
function npmStart(dataDir: string, port: number): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', API_TOKEN: TEST_TOKEN, LOG_LEVEL: 'warn', DEVICE_ADMISSION: 'auto' };
  delete env.DATABASE_URL;
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-5000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-5000)));
  return { child, output: () => out };
}

/** The gateway processes (node dist/src/main.js) running on `dataDir`, by pid (Linux /proc). */
function gatewaysOn(dataDir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').startsWith('node\0dist/src/main.js') && fs.readFileSync(`/proc/${d}/environ`, 'utf8').includes(`DATA_DIR=${dataDir}\0`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function healthy(port: number, ms: number, child: ChildProcess): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    if (child.exitCode !== null) return false;
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return true;
  }
  return false;
}

describe.runIf(templateFile)('kill -9 of npm start on the embedded database', () => {
  it('the gateway npm started stops too, and npm start again at once starts on the same data with everything', { timeout: 180_000 }, async () => {
    const dataDir = await seededDataDir();
    const port = await freePort();
    const api = (method: string, p: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${port}${p}${p.includes('?') ? '&' : '?'}access_token=${TEST_TOKEN}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json() as Promise<{ code: number }>);
    const first = npmStart(dataDir, port);
    const started: ChildProcess[] = [first.child];
    try {
      expect(await healthy(port, 90_000, first.child), first.output()).toBe(true);
      for (let i = 0; i < 5; i++) expect((await api('POST', '/api/person/add', { pin: String(4400 + i), name: `Npm${i}`, deptCode: '1' })).code).toBe(0);

      // kill -9 of npm only: the gateway it started cannot be told, and must not stay on the port and the directory.
      const [orphan] = gatewaysOn(dataDir);
      expect(orphan).toBeGreaterThan(0);
      first.child.kill('SIGKILL');
      const second = npmStart(dataDir, port);
      started.push(second.child);
      for (const end = Date.now() + 20_000; gatewaysOn(dataDir).includes(orphan) && Date.now() < end; ) await sleep(100);
      expect(gatewaysOn(dataDir), 'the gateway of the killed npm start is still running').not.toContain(orphan);
      expect(await healthy(port, 90_000, second.child), `${second.output()}\nexit ${second.child.exitCode}`).toBe(true);
      for (let i = 0; i < 5; i++) expect((await api('GET', `/api/person/get/${4400 + i}`)).code).toBe(0);
      expect((await api('POST', '/api/person/add', { pin: '4499', name: 'After', deptCode: '1' })).code).toBe(0);
      // One gateway holds the directory: the lock names the second start's.
      const holder = Number(fs.readFileSync(path.join(dataDir, 'gateway.lock'), 'utf8').split('\n')[0]);
      expect(gatewaysOn(dataDir)).toEqual([holder]);
    } finally {
      // The gateways this test started (an orphan too, when it outlived its npm), then the npm processes.
      for (const pid of gatewaysOn(dataDir)) process.kill(pid, 'SIGKILL');
      for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  });
});
