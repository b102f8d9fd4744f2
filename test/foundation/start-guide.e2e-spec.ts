import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nonDefaultDataDir, npmScriptsPresent, startGuide } from '../../src/start-guide';
import { GatewayProcess, MAIN_JS } from '../support/gateway-process';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/**
 * What `npm start` prints once it listens, read by someone who just installed it: where the console and the API
 * are, what a panel's server settings take, and how to get the first sign-in and the first token on a fresh
 * database (which has neither). A real process (`node dist/src/main.js`) on real PostgreSQL; the embedded
 * database's in-process server is no database for a second process, so that mode checks the wording only.
 */
const onPglite = inject('testDb').mode === 'embedded';

/** The `msg` of every JSON log line the process wrote, at its level. */
function messages(output: string): { level: number; msg: string }[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });
}

describe('the start guide (wording)', () => {
  it('tells a fresh embedded install how to sign in and get a token, and where devices connect', () => {
    const g = startGuide({ port: 8088, host: '0.0.0.0', embedded: true, operators: 0, apiClients: 0, lanAddresses: ['10.0.0.5'], npmScripts: true });
    expect(g.info).toEqual([
      'operator console: http://localhost:8088/console (from another machine: http://10.0.0.5:8088/console)',
      'REST API: http://localhost:8088/api/...?access_token=<token> (try every endpoint at http://localhost:8088/api-docs)',
      "devices: in the device's cloud server (ADMS) settings, set the server address to 10.0.0.5 and the port to 8088, over HTTP (not HTTPS)",
    ]);
    expect(g.warn[0]).toContain('no console operator yet');
    expect(g.warn[0]).toContain('stop the gateway (Ctrl-C: the embedded database allows one process) and run `npm run operator -- create <name> --role admin`');
    expect(g.warn[0]).toContain('CONSOLE_ADMIN_PASSWORD');
    expect(g.warn[1]).toContain('no API client yet');
    expect(g.warn[1]).toContain('API_TOKEN=');
  });

  it('on DATABASE_URL, names the variable the command needs beside the gateway (without it, it would use the embedded database)', () => {
    const g = startGuide({ port: 8088, host: '0.0.0.0', embedded: false, operators: 0, apiClients: 0, lanAddresses: [], npmScripts: true });
    expect(g.warn[0]).toContain("run `npm run operator -- create <name> --role admin` with this gateway's DATABASE_URL set (it prints the password)");
    expect(g.warn[1]).toContain("run `npm run token -- create <name>` with this gateway's DATABASE_URL set");
    expect(g.warn.join('\n')).not.toContain('stop the gateway');
  });

  it("names the gateway's DATA_DIR in the commands when it is not the checkout's ./data (else the tool writes into ./data)", () => {
    const g = startGuide({ port: 8088, host: '0.0.0.0', embedded: true, operators: 0, apiClients: 0, lanAddresses: [], npmScripts: true, dataDir: '/srv/cvgw data' });
    expect(g.warn[0]).toContain("and run `DATA_DIR='/srv/cvgw data' npm run operator -- create <name> --role admin`");
    expect(g.warn[1]).toContain("and run `DATA_DIR='/srv/cvgw data' npm run token -- create <name>`");
    const root = path.resolve('.');
    expect(nonDefaultDataDir(path.join(root, 'data'), root)).toBeUndefined();
    expect(nonDefaultDataDir(path.join(root, 'data/'), root)).toBeUndefined();
    expect(nonDefaultDataDir('/tmp/site-a', root)).toBe('/tmp/site-a');
    expect(nonDefaultDataDir(path.join(root, 'other'), root)).toBe(path.join(root, 'other'));
    // On DATABASE_URL the data directory plays no part.
    const pg = startGuide({ port: 8088, host: '0.0.0.0', embedded: false, operators: 0, apiClients: 0, lanAddresses: [], npmScripts: true, dataDir: '/tmp/site-a' });
    expect(pg.warn.join('\n')).not.toContain('DATA_DIR');
  });

  it('names the built tools where the npm scripts cannot run (the Docker image holds dist/ only)', () => {
    const g = startGuide({ port: 8088, host: '0.0.0.0', embedded: false, operators: 0, apiClients: 0, lanAddresses: [], npmScripts: false });
    expect(g.warn[0]).toContain('run `node dist/src/cli/operator.js create <name> --role admin`');
    expect(g.warn[1]).toContain('run `node dist/src/cli/token.js create <name>`');
    expect(g.warn.join('\n')).not.toContain('npm run');
  });

  it('on the embedded database of the Docker image, runs the tool in a container of its own on the data volume', () => {
    // The gateway is the container's process: stopped, there is nothing to exec into, and a detached container
    // is not stopped with Ctrl-C. The tool needs the volume while the gateway is stopped.
    const g = startGuide({ port: 8088, host: '0.0.0.0', embedded: true, operators: 0, apiClients: 0, lanAddresses: [], npmScripts: false });
    expect(g.warn[0]).toContain('stop the container (the embedded database allows one process) and run `docker run --rm -v <its /data volume>:/data <image> node dist/src/cli/operator.js create <name> --role admin` (it prints the password), then start it again');
    expect(g.warn[1]).toContain('`docker run --rm -v <its /data volume>:/data <image> node dist/src/cli/token.js create <name>`, then start it again');
    expect(g.warn.join('\n')).not.toContain('Ctrl-C');
  });

  it('finds the npm scripts in a checkout, and not in a directory laid out as the image is (package.json and dist/)', () => {
    expect(npmScriptsPresent(path.resolve('.'))).toBe(true);
    const image = fs.mkdtempSync(path.join(os.tmpdir(), 'image-'));
    try {
      fs.writeFileSync(path.join(image, 'package.json'), '{}');
      fs.mkdirSync(path.join(image, 'dist'));
      expect(npmScriptsPresent(image)).toBe(false);
    } finally {
      fs.rmSync(image, { recursive: true, force: true });
    }
  });

  it('says nothing is missing once an operator and a client exist, and that a loopback HOST serves no device', () => {
    const g = startGuide({ port: 9000, host: '127.0.0.1', embedded: false, operators: 1, apiClients: 2, lanAddresses: ['10.0.0.5'], npmScripts: true });
    expect(g.warn).toEqual([]);
    expect(g.info[0]).toBe('operator console: http://127.0.0.1:9000/console');
    expect(g.info[2]).toContain('listens on 127.0.0.1 only, which no panel can reach');
  });

  it('takes every loopback HOST for one (all of 127.0.0.0/8, IPv4-mapped, ::1), and no other address', () => {
    for (const host of ['127.0.0.2', '127.1.2.3', '::ffff:127.0.0.1', '::1', 'localhost', 'LOCALHOST']) {
      expect(startGuide({ port: 9000, host, embedded: false, operators: 1, apiClients: 1, lanAddresses: [], npmScripts: true }).info[2], host).toContain('which no panel can reach');
    }
    for (const host of ['10.0.0.5', '128.0.0.1', '::ffff:10.0.0.5', '1270.0.0.1']) {
      expect(startGuide({ port: 9000, host, embedded: false, operators: 1, apiClients: 1, lanAddresses: [], npmScripts: true }).info[2], host).toContain(`set the server address to ${host}`);
    }
  });
});

describe.skipIf(onPglite)('npm start on a fresh database', () => {
  let db: TestDatabase;
  let g: GatewayProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    g = await GatewayProcess.create(db.url, { API_TOKEN: '', LOG_LEVEL: 'info', HOST: '0.0.0.0' });
    await g.start(120_000);
  }, 150_000);

  afterAll(async () => {
    await g?.stop();
    await db?.drop();
  });

  /** Waits for the guide's last line (it follows "listening", after /health already answers). */
  async function guide(): Promise<{ level: number; msg: string }[]> {
    for (let i = 0; i < 600 && !g.output.includes('devices: '); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    return messages(g.output);
  }

  it('prints the console and API addresses, the device settings, and how to create the first operator and token', async () => {
    const lines = await guide();
    const msgs = lines.map((l) => l.msg);
    expect(msgs.some((m) => m.startsWith(`operator console: http://localhost:${g.port}/console`))).toBe(true);
    expect(msgs.some((m) => m.startsWith(`REST API: http://localhost:${g.port}/api/`))).toBe(true);
    expect(msgs.some((m) => m.startsWith('devices: ') && m.includes(`the port to ${g.port}, over HTTP`))).toBe(true);
    const operator = lines.find((l) => l.msg.startsWith('no console operator yet'));
    expect(operator?.level).toBe(40);
    // DATABASE_URL: the command runs beside the gateway, no stop needed.
    expect(operator?.msg).toContain("run `npm run operator -- create <name> --role admin` with this gateway's DATABASE_URL set");
    expect(operator?.msg).not.toContain('stop the gateway');
    expect(msgs.some((m) => m.startsWith('no API client yet'))).toBe(true);
  }, 90_000);

  it('stops asking once an operator and an API client exist', async () => {
    const cli = (file: string, args: string[]) =>
      spawnSync(process.execPath, [path.resolve('dist/src/cli', file), ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url }, encoding: 'utf8' });
    expect(cli('operator.js', ['create', 'alice', '--role', 'admin']).status).toBe(0);
    expect(cli('token.js', ['create', 'payroll']).status).toBe(0);
    await g.stop();
    g.output = '';
    await g.start(120_000);
    const msgs = (await guide()).map((l) => l.msg);
    expect(msgs.some((m) => m.startsWith('operator console: '))).toBe(true);
    expect(msgs.filter((m) => m.startsWith('no console operator') || m.startsWith('no API client'))).toEqual([]);
  }, 180_000);
});

// PORT=0 asks the system for a free port: the "listening" line said port 0 while the guide named the port bound.
describe.skipIf(onPglite)('npm start with PORT=0', () => {
  let db: TestDatabase;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
  });

  it('names the port the system gave in its listening line, as in the guide, and serves there', async () => {
    child = spawn(process.execPath, [MAIN_JS], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', API_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    for (let i = 0; i < 1200 && !output.includes('devices: ') && !output.includes('REST API: '); i++) await new Promise((r) => setTimeout(r, 100));
    const lines = messages(output) as { msg: string; port?: number }[];
    const port = lines.find((l) => l.msg === 'cvsecurity-gateway listening')?.port;
    expect(port).toBeGreaterThan(0);
    expect(lines.find((l) => l.msg.startsWith('REST API: '))?.msg).toMatch(new RegExp(`^REST API: http://[^/]+:${port}/api/`));
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  }, 150_000);
});
