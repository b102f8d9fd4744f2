import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { GatewayProcess } from '../support/gateway-process';

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
    await sleep(1500);
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
