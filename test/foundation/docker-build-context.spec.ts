import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { STOP_DEADLINE_MS } from '../../src/common/stop-deadline';
import { HEALTH_TIMEOUT_MS } from '../../src/health/health.controller';
import { lanAddresses } from '../../src/start-guide';
import { readmeSection } from '../support/readme-commands';

// The Dockerfile's build stage copies only some of the repository (its COPY lines) and runs `npm run build`
// there. A file the production build compiles that imports something outside those copies fails that build
// (src/push/protocol/testing/ imported test/fixtures/ once: TS2307 inside `docker build`, never seen here).
const ROOT = path.resolve('.');

function dockerBuildCopies(): string[] {
  const build = readFileSync('Dockerfile', 'utf8').split(/^FROM /m)[1];
  const copies: string[] = [];
  for (const m of build.matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
    const parts = m[1].trim().split(/\s+/).filter((p) => !p.startsWith('--'));
    parts.pop(); // destination
    copies.push(...parts);
  }
  return copies;
}

function productionBuildFiles(): string[] {
  const file = path.resolve('tsconfig.build.json');
  const cfg = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT, undefined, file).fileNames;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), `${base}.json`].find((c) => existsSync(c) && !c.endsWith(path.sep));
}

describe('the Dockerfile build stage', () => {
  it('copies everything the production build compiles and imports', () => {
    const copies = dockerBuildCopies().map((c) => path.resolve(c));
    expect(copies).toContain(path.resolve('src'));
    const inCopy = (f: string) => copies.some((c) => f === c || f.startsWith(c + path.sep));
    const outside: string[] = [];
    for (const f of productionBuildFiles()) {
      const rel = path.relative(ROOT, f);
      // Only what the image builds: src/ (its entry) and what the Dockerfile copies besides.
      if (!inCopy(f)) continue;
      for (const imp of ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles) {
        if (!imp.fileName.startsWith('.')) continue;
        const target = resolveLocal(f, imp.fileName);
        if (target && !inCopy(target)) outside.push(`${rel} imports ${path.relative(ROOT, target)}`);
      }
    }
    expect(outside).toEqual([]);
  });
});

// The image as the README promises it, read from the Dockerfile (Docker does not run here): each instruction of a
// stage, continuation lines joined, comments dropped.
function stages(): string[][] {
  const text = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  const out: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) out.push([]);
    out.at(-1)?.push(l.trim());
  }
  return out;
}
const args = (stage: string[], name: string) => stage.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length).trim());
/** Docker's durations as the HEALTHCHECK and compose write them (`10s`, `1m30s`), in ms. */
function ms(d: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d.trim());
  if (!m || (!m[1] && !m[2])) throw new Error(`not a duration: ${d}`);
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000;
}
/** The compose file's `gateway` service, as text (its keys indented under it). */
function composeGateway(): string {
  const compose = readFileSync('docker-compose.yml', 'utf8');
  const start = compose.indexOf('\n  gateway:');
  const end = compose.slice(start + 1).search(/\n(?: {2}[a-z]|[a-z])/);
  return compose.slice(start, end < 0 ? undefined : start + 1 + end);
}
/** The README's `docker run` line for the embedded database. */
function readmeDockerRun(): string {
  const line = readFileSync('README.md', 'utf8').split('\n').find((l) => /^\s*docker run -d /.test(l));
  if (!line) throw new Error('the README has no `docker run -d` line');
  return line;
}

describe('the Dockerfile runtime stage', () => {
  const runtime = stages().at(-1)!;
  const env = Object.fromEntries(args(runtime, 'ENV').flatMap((e) => e.split(/\s+/).map((kv) => kv.split('=') as [string, string])));

  it('installs the production dependencies from the lockfile and takes only dist/ from the build stage', () => {
    expect(args(runtime, 'COPY')).toContain('package.json package-lock.json ./');
    expect(args(runtime, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(args(runtime, 'RUN').join('\n')).not.toMatch(/npm (install|prune)\b/);
    expect(args(runtime, 'COPY').filter((c) => c.startsWith('--from'))).toEqual(['--from=build /app/dist ./dist']);
    // It starts what `npm start` starts.
    expect(JSON.parse(args(runtime, 'CMD')[0])).toEqual(JSON.parse(readFileSync('package.json', 'utf8')).scripts.start.split(' '));
  });

  it('runs as node with the embedded database under DATA_DIR, which node owns, and declares no VOLUME', () => {
    expect(env.DATA_DIR).toBe('/data');
    expect(args(runtime, 'RUN')).toContain('mkdir -p /data && chown node:node /data');
    expect(args(runtime, 'USER')).toEqual(['node']);
    // A VOLUME would give the compose set-up (DATABASE_URL, nothing in /data) an anonymous volume nobody uses;
    // the README's docker run mounts a named one at DATA_DIR instead.
    expect(stages().flatMap((st) => args(st, 'VOLUME'))).toEqual([]);
    expect(readmeDockerRun()).toMatch(new RegExp(` -v [\\w-]+:${env.DATA_DIR} `));
    expect(composeGateway()).toMatch(/DATABASE_URL: postgres:\/\//);
    expect(composeGateway()).not.toContain('/data');
  });

  // The README's Production section starts compose with the token and the first administrator's password from the
  // shell; compose passes a container only what its file names, so a variable it does not name would be ignored.
  it("takes from the shell what the README's `docker compose up` line sets, each a variable of the Configuration table", () => {
    const line = /`((?:[A-Z_]+=\S+ )+)docker compose up[^`]*`/.exec(readFileSync('README.md', 'utf8'))?.[1];
    const set = [...(line ?? '').matchAll(/([A-Z_]+)=/g)].map((m) => m[1]);
    expect(set).toEqual(['API_TOKEN', 'CONSOLE_ADMIN_PASSWORD']);
    const table = readmeSection('## Configuration');
    for (const name of set) {
      expect(composeGateway()).toMatch(new RegExp(`\\n {6}${name}: \\$\\{${name}[:?}-]`));
      expect(table).toContain(`| \`${name}\` |`);
    }
  });

  it('exposes the port it listens on, as compose and the README publish it', () => {
    expect(args(runtime, 'EXPOSE')).toEqual([env.PORT]);
    expect(env.HOST).toBe('0.0.0.0');
    expect(composeGateway()).toContain(`- "${env.PORT}:${env.PORT}"`);
    expect(readmeDockerRun()).toContain(` -p ${env.PORT}:${env.PORT} `);
  });

  it("gives the health check longer than /health's own wait for the database, so the endpoint's 503 arrives", () => {
    const [check] = args(runtime, 'HEALTHCHECK');
    const timeout = /--timeout=(\S+)/.exec(check)?.[1];
    // node's own start (about a second on a slow machine) comes before the request.
    expect(ms(timeout ?? '30s')).toBeGreaterThanOrEqual(HEALTH_TIMEOUT_MS + 2000);
    expect(check).toMatch(/\/health\b/);
  });

  it("stops on SIGTERM through tini, and is given longer than the gateway's own stop deadline", () => {
    expect(args(runtime, 'STOPSIGNAL').every((s) => s === 'SIGTERM')).toBe(true);
    expect(JSON.parse(args(runtime, 'ENTRYPOINT')[0])[0]).toMatch(/tini$/);
    expect(args(runtime, 'RUN').some((r) => /apt-get install .*\btini\b/.test(r))).toBe(true);
    const grace = /stop_grace_period: (\S+)/.exec(composeGateway())?.[1];
    expect(ms(grace ?? '10s')).toBeGreaterThan(STOP_DEADLINE_MS);
    const stopTimeout = / --stop-timeout (\d+) /.exec(readmeDockerRun())?.[1];
    expect(Number(stopTimeout ?? 10) * 1000).toBeGreaterThan(STOP_DEADLINE_MS);
  });

  it("keeps the checkout's own node_modules, dist and data out of the build context", () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.git']));
  });

  it('keeps out of the build context everything git keeps out of the repository', () => {
    // What git never holds is a checkout's own (a developer's .env with DATABASE_URL's password and API_TOKEN, test
    // output, a build's lock): `docker build .` would otherwise send it to the builder as context, and a later
    // `COPY . .` would put it in the image.
    const entries = (file: string) =>
      readFileSync(file, 'utf8').split('\n').map((l) => l.trim().replace(/^\/|\/$/g, '')).filter((l) => l && !l.startsWith('#'));
    const docker = new Set(entries('.dockerignore'));
    expect(entries('.gitignore').filter((e) => !docker.has(e))).toEqual([]);
  });

  it("keeps the README's backup copy of ./data out of the build context and out of git", () => {
    // Production → Backups has the newcomer copy the embedded database beside it (`cp -a data data-backup`): a copy
    // as large as the database, which `docker build .` would otherwise send as context and `git status` list.
    const copy = /`cp -a data ([\w-]+)`/.exec(readmeSection('## Production'))?.[1];
    expect(copy, 'README Production names the copy command').toBeDefined();
    const lines = (file: string) => readFileSync(file, 'utf8').split('\n').map((l) => l.trim().replace(/^\/|\/$/g, ''));
    expect(lines('.dockerignore')).toContain(copy);
    expect(lines('.gitignore')).toContain(copy);
  });
});

// What the runtime stage's `npm ci` installs, as npm reads the lockfile's flags under the Dockerfile's --omit options
// (npm keeps a `devOptional` package unless both dev and optional are omitted: typescript is one, a dev package that
// @nestjs/swagger names as an optional peer).
describe("the Dockerfile runtime stage's dependencies", () => {
  const runtime = stages().at(-1)!;
  const install = args(runtime, 'RUN').find((r) => /\bnpm ci\b/.test(r)) ?? '';
  const omit = new Set([...install.matchAll(/--omit[= ](\w+)/g)].map((m) => m[1]));
  type Entry = { dev?: boolean; optional?: boolean; devOptional?: boolean; peer?: boolean };
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages as Record<string, Entry>;
  const installed = (name: string) => {
    const e = lock[`node_modules/${name}`];
    if (!e) return false;
    const dropped = (e.dev && omit.has('dev')) || (e.optional && omit.has('optional')) || (e.devOptional && omit.has('dev') && omit.has('optional')) || (e.peer && omit.has('peer'));
    return !dropped;
  };

  it('leave out typescript and every other dev package', () => {
    expect(omit.has('dev')).toBe(true);
    expect(installed('typescript')).toBe(false);
    for (const name of Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).devDependencies)) expect(installed(name), name).toBe(false);
  });

  it('keep every package the built gateway loads (the production dependencies and what src/ imports at run time)', () => {
    const loaded = new Set<string>(Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies));
    for (const f of productionBuildFiles().filter((f) => path.relative(ROOT, f).startsWith(`src${path.sep}`))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^import (?!type\b)[^;]*?from '([^.'][^']*)'|\brequire\('([^.'][^']*)'\)|\bimport\('([^.'][^']*)'\)/gm)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith('node:')) continue;
        loaded.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect(loaded).toContain('@nestjs/swagger');
    expect([...loaded].filter((name) => !installed(name))).toEqual([]);
  });
});

// The HEALTHCHECK's own command, run as Docker runs it (node -e, the container's environment), against a /health
// listening where the image's HOST and PORT put the gateway.
describe("the Dockerfile's HEALTHCHECK command", () => {
  const runtime = stages().at(-1)!;
  const [check] = args(runtime, 'HEALTHCHECK');
  const [node, flag, script] = JSON.parse(check.slice(check.indexOf('CMD ') + 4)) as string[];
  const imageEnv = Object.fromEntries(args(runtime, 'ENV').flatMap((e) => e.split(/\s+/).map((kv) => kv.split('=') as [string, string])));

  /** A /health answering `status` on host:<a free port>; its port. */
  async function health(host: string, status: number, servers: http.Server[]): Promise<number> {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404;
      res.end('{}');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, host, r));
    return (server.address() as AddressInfo).port;
  }
  /** The check's exit code in a container whose environment is `env` (no HOST or PORT of this process). */
  function runCheck(env: Record<string, string>): Promise<number | null> {
    expect([node, flag]).toEqual(['node', '-e']);
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    return new Promise((resolve) => child.on('exit', resolve));
  }

  it("is healthy on the image's HOST and PORT, and on a HOST of one address; unhealthy on a 503 or nobody there", async () => {
    const servers: http.Server[] = [];
    try {
      expect(imageEnv.HOST).toBe('0.0.0.0');
      const all = await health(imageEnv.HOST, 200, servers);
      expect(await runCheck({ HOST: imageEnv.HOST, PORT: String(all) })).toBe(0);
      // `docker run -e HOST=<the container's address>`: the gateway listens there only, not on 127.0.0.1 (this
      // machine's network address, or another loopback address where it has none: Linux answers all of 127/8).
      const address = lanAddresses()[0] ?? '127.0.0.2';
      const one = await health(address, 200, servers);
      expect(await runCheck({ HOST: address, PORT: String(one) })).toBe(0);
      expect(await runCheck({ HOST: ` ${address} `, PORT: ` ${one} ` })).toBe(0);
      const down = await health('127.0.0.1', 503, servers);
      expect(await runCheck({ HOST: imageEnv.HOST, PORT: String(down) })).toBe(1);
      servers.pop()!.close();
      expect(await runCheck({ HOST: imageEnv.HOST, PORT: String(down) })).toBe(1);
    } finally {
      for (const s of servers) s.close();
    }
  });
});

describe("the README's fresh-machine commands", () => {
  it('are `npm ci && npm start` and `npm ci && npm test`, and CI (.ci/run) runs that same test command', () => {
    const blocks = [...readmeSection('## On a fresh machine').matchAll(/```sh\n([\s\S]*?)```/g)].map((b) => b[1].trim());
    expect(blocks).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
    expect(scripts.start).toBeDefined();
    expect(scripts.test).toBeDefined();
    const ci = readFileSync('.ci/run', 'utf8').split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
    const install = ci.findIndex((l) => /^npm ci\b/.test(l));
    const test = ci.findIndex((l) => /^(TEST_DB=\w+ )?npm test$/.test(l));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(install);
  });
});
