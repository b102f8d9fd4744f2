import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { ApiClient } from './apiClient/api-client.entity';

/**
 * What `npm start` says once it listens, for the person who just ran it: where to open the console and the API,
 * what to type into a device's server settings, and what is still missing before anyone can use it (a console
 * operator, an API token). "listening on 0.0.0.0:8088" answered none of that, and a fresh install has no account.
 */
export interface StartFacts {
  port: number;
  host: string;
  /** The embedded database: the command-line tools need the gateway stopped (one process owns the data directory). */
  embedded: boolean;
  /** Enabled console operators. */
  operators: number;
  /** Enabled API clients. */
  apiClients: number;
  /** This machine's addresses another machine (a panel, a browser) can reach, for a wildcard HOST. */
  lanAddresses: string[];
  /** `npm run operator`/`npm run token` work here (a checkout); false in the Docker image, which holds dist/ only. */
  npmScripts: boolean;
  /**
   * The embedded database's DATA_DIR when the npm scripts would not find it by themselves (they run in the
   * checkout, where DATA_DIR defaults to `./data`): a gateway started with `DATA_DIR=…` (or from another
   * directory) tells the command to set it too, else the operator or token is made in `./data`, which it does not read.
   */
  dataDir?: string;
}

/** The data directory to name in the tools' commands: none when it is the checkout's default `./data`. */
export function nonDefaultDataDir(dataDir: string, root: string): string | undefined {
  return path.resolve(dataDir) === path.join(path.resolve(root), 'data') ? undefined : path.resolve(dataDir);
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_\/.:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Whether the checkout's npm scripts can run beside this `dist/`: they start with `scripts/ensure-built.mjs`,
 * which the Docker image leaves out (built files only), so there the guide names the built tools instead of
 * commands that fail with "Cannot find module".
 */
export function npmScriptsPresent(root: string): boolean {
  return fs.existsSync(path.join(root, 'scripts', 'ensure-built.mjs'));
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** The machine's non-loopback IPv4 addresses: the ones a panel's "server address" field takes. */
export function lanAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string[] {
  const found: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && !found.includes(a.address)) found.push(a.address);
  }
  return found;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A host only this machine reaches: all of 127.0.0.0/8 (also IPv4-mapped), ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The lines to print, in order: each a complete sentence a newcomer can act on. */
export function startGuide(f: StartFacts): { info: string[]; warn: string[] } {
  const wildcard = WILDCARD.has(f.host);
  const local = wildcard ? 'localhost' : urlHost(f.host);
  const base = `http://${local}:${f.port}`;
  const others = wildcard ? f.lanAddresses : [];
  const elsewhere = others.length ? ` (from another machine: ${others.map((a) => `http://${a}:${f.port}/console`).join(', ')})` : '';
  const info = [
    `operator console: ${base}/console${elsewhere}`,
    `REST API: ${base}/api/...?access_token=<token> (try every endpoint at ${base}/api-docs)`,
  ];
  const loopback = isLoopback(f.host);
  if (loopback) {
    info.push(`devices: this gateway listens on ${f.host} only, which no panel can reach; start it with HOST=0.0.0.0 (the default) to serve devices`);
  } else {
    const addr = wildcard ? (others.length ? others.join(' or ') : "this machine's network address") : f.host;
    info.push(`devices: in the device's cloud server (ADMS) settings, set the server address to ${addr} and the port to ${f.port}, over HTTP (not HTTPS)`);
  }
  const warn: string[] = [];
  const dataDir = f.npmScripts && f.embedded && f.dataDir !== undefined ? `DATA_DIR=${shellWord(f.dataDir)} ` : '';
  const operatorCmd = f.npmScripts ? `${dataDir}npm run operator -- create <name> --role admin` : 'node dist/src/cli/operator.js create <name> --role admin';
  const tokenCmd = f.npmScripts ? `${dataDir}npm run token -- create <name>` : 'node dist/src/cli/token.js create <name>';
  // The embedded database allows one process, so the tool runs while the gateway is stopped. In the image
  // (no npm scripts) the gateway is the container: once it is stopped there is nothing to `docker exec` into,
  // and Ctrl-C is not how a detached container stops; the tool runs in a container of its own on the same volume.
  const run = (cmd: string) => {
    // Run from a shell of its own, without this gateway's DATABASE_URL the command would use the embedded
    // database under DATA_DIR: the operator or token made there is not the one this gateway reads.
    if (!f.embedded) return f.npmScripts ? `run \`${cmd}\` with this gateway's DATABASE_URL set` : `run \`${cmd}\``;
    if (f.npmScripts) return `stop the gateway (Ctrl-C: the embedded database allows one process) and run \`${cmd}\``;
    return `stop the container (the embedded database allows one process) and run \`docker run --rm -v <its /data volume>:/data <image> ${cmd}\``;
  };
  const startAgain = f.embedded ? ', then start it again' : '';
  if (f.operators === 0) {
    warn.push(
      `no console operator yet, so nobody can sign in at /console: ${run(operatorCmd)} (it prints the password)${startAgain}; or start once with CONSOLE_ADMIN_PASSWORD=<10+ characters> to create "admin"`,
    );
  }
  if (f.apiClients === 0) {
    warn.push(
      `no API client yet, so every /api call is refused (-401): start with API_TOKEN=<8+ characters> and call with ?access_token=<it>, or ${run(tokenCmd)}${startAgain}`,
    );
  }
  return { info, warn };
}

/**
 * Enabled operators and API clients, read once at start from the app's DataSource: looked up here, where typeorm is
 * required as bootstrap's modules require it, so main.ts need not load typeorm itself (it loads this module lazily).
 */
export async function accountCounts(app: { get(token: typeof DataSource): DataSource }): Promise<{ operators: number; apiClients: number }> {
  const ds = app.get(DataSource);
  const [{ n: operators }] = await ds.query(`SELECT count(*)::int AS n FROM console_operator WHERE NOT disabled`);
  const apiClients = await ds.getRepository(ApiClient).count({ where: { enabled: true } });
  return { operators, apiClients };
}
