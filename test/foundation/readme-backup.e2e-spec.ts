import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayProcess, freePort } from '../support/gateway-process';
import { readmeSection } from '../support/readme-commands';
import { seedMigratedDataDir } from '../support/test-db';

// README's Production → Backups: an embedded database is backed up by copying DATA_DIR while the gateway is stopped,
// and a start on the copy has what the stopped gateway had. The copy command is read from the README and run as
// written, in a directory whose ./data is the gateway's DATA_DIR (npm start's default).
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgw-backup-'));
const gateways: GatewayProcess[] = [];
afterAll(async () => {
  for (const g of gateways) await g.kill();
  fs.rmSync(work, { recursive: true, force: true });
});

async function embedded(dataDir: string): Promise<GatewayProcess> {
  const g = new GatewayProcess(await freePort(), { DATABASE_URL: '', DATA_DIR: dataDir });
  gateways.push(g);
  await g.start(240_000);
  return g;
}

describe("README's backup of the embedded database", () => {
  it('copies a stopped gateway\'s DATA_DIR with the command it prints, and a start on the copy has its data', { timeout: 600_000 }, async () => {
    const copy = /`(cp -a data [\w-]+)`/.exec(readmeSection('## Production'))?.[1];
    expect(copy, 'README Production names the copy command').toBeDefined();
    const [cmd, ...args] = copy!.split(' ');
    const backupDir = path.join(work, args.at(-1)!);

    // On the embedded run, ./data starts as a cluster a gateway made and migrated before (the run's template): what is
    // backed up is a gateway's data directory either way, and a first start's creation of one, most of a minute on a
    // loaded machine, has tests of its own (start-stop.e2e-spec.ts). On PostgreSQL there is no such template: the
    // gateway makes it.
    await seedMigratedDataDir(path.join(work, 'data'));
    const first = await embedded(path.join(work, 'data'));
    expect((await first.api('POST', '/api/person/add', { pin: '4242', name: 'Backed Up' })).body).toMatchObject({ code: 0 });
    await first.stop(30_000);

    execFileSync(cmd, args, { cwd: work });
    const restored = await embedded(backupDir);
    const person = await restored.api('GET', '/api/person/get/4242');
    expect(person.body).toMatchObject({ code: 0, data: { pin: '4242', name: 'Backed Up' } });
    await restored.stop(30_000);
  });
});
