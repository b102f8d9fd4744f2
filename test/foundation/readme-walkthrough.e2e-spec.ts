import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperatorCommand } from '../../src/cli/operator';
import { runTokenCommand } from '../../src/cli/token';
import { loadConfig } from '../../src/config/config';
import { curlRunner, readmeCurls, readmeSection, readmeShellLines, runCurl, type CurlCommand } from '../support/readme-commands';
import { spawnSimulator, type SimulatorProcess } from '../support/simulate-cli';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The README's walk-through (steps 1 to 3) and its attendance terminal, as a newcomer runs them: the gateway
 * started with step 1's environment, every `curl` and `npm run simulate` line taken from the README's own text
 * (only `http://localhost:8088` pointed at this file's gateway, and the ids the README says to copy filled in),
 * each answer compared with what the README says it is. One gateway for both, in the README's order.
 */
const WALK = '## Walk-through';
const ATTENDANCE = '### An attendance terminal, from a fresh install';
/** Where the README's commands go: `npm start`'s default port on this machine. */
const README_BASE = /^http:\/\/(?:localhost|127\.0\.0\.1):8088(?=\/|$)/;
const ok = { code: 0, message: 'success', data: null };

let t: TestApp;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // Step 1's start line, its environment read by the gateway's own configuration loader.
  const start = readmeShellLines(WALK, {}, true).filter((l) => l.words.at(-2) === 'npm' && l.words.at(-1) === 'start');
  expect(start.map((l) => l.line)).toHaveLength(1);
  const env = Object.fromEntries(start[0].words.slice(0, -2).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  const config = loadConfig(env);
  t = await startTestApp({ apiToken: config.apiToken, deviceAdmission: config.deviceAdmission, deviceClearOnAdd: config.deviceClearOnAdd });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await t?.close();
});

/** A URL of the README's, on this file's gateway. */
function here(url: string): string {
  if (!README_BASE.test(url)) throw new Error(`the README's command goes to ${url}, not to the gateway npm start runs`);
  return url.replace(README_BASE, t.baseUrl);
}

/** The section's `T='…'; G=…` line, as written: the token parameter and the gateway's address its commands use. */
function vars(heading: string, ownText = false): { T: string; G: string } {
  const m = /^\s*T='([^']*)'; G=(\S+)\s*$/m.exec(readmeSection(heading, ownText));
  if (!m) throw new Error(`${heading} sets no T and G`);
  return { T: m[1], G: m[2] };
}

/** The section's one `npm run simulate -- …` line, started against this file's gateway (a trailing `&` dropped). */
function simulatorOf(heading: string, ownText = false): SimulatorProcess {
  const lines = readmeShellLines(heading, vars(heading, ownText), ownText).filter((l) => l.words.slice(0, 4).join(' ') === 'npm run simulate --');
  expect(lines.map((l) => l.line)).toHaveLength(1);
  // What `npm run simulate` runs, so that the line is the one package.json answers.
  expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.simulate).toMatch(/node dist\/test\/simulator\/cli\.js$/);
  const args = lines[0].words.slice(4).filter((w) => w !== '&');
  const url = args.indexOf('--url') + 1;
  expect(url, lines[0].line).toBeGreaterThan(0);
  args[url] = here(args[url]);
  return spawnSimulator(args, children);
}

/** Runs the README's curl commands on this file's gateway, each once. */
const curlsOf = (curls: CurlCommand[]) => curlRunner(curls, here);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('README walk-through, steps 1 to 3', () => {
  let curls: ReturnType<typeof curlsOf>;
  let panel: SimulatorProcess;
  let doorId: string;
  let levelId: string;

  beforeAll(() => {
    curls = curlsOf(readmeCurls(WALK, vars(WALK, true), true));
  });

  it('2. the first call answers department 1 as the README prints it, and a missing or wrong token gets 401 / -401', async () => {
    const section = readmeSection(WALK, true);
    const printed = /curl '[^']*\/api\/department\/get\/1[^']*'\n\s*# (\{.*\})\n/.exec(section);
    expect(printed, 'step 2 prints the answer under its curl line').not.toBeNull();
    expect(await curls.json('/api/department/get/1')).toEqual(JSON.parse(printed![1]));
    const c = curls.find('/api/department/get/1');
    for (const url of [c.url.replace(/[?&]access_token=[^&]*/, ''), c.url.replace(/access_token=[^&]*/, 'access_token=wrong-token-1')]) {
      const r = await runCurl({ ...c, url: here(url) });
      expect(r.status, url).toBe(401);
      expect(JSON.parse(r.text)).toMatchObject({ code: -401, data: null });
    }
  });

  it("3. the simulated panel registers; its doors are named after its address and report the README's states", async () => {
    panel = simulatorOf(WALK, true);
    await panel.waitFor(/connected SIM0000001: registered=true/);
    const doors = await curls.json('/api/door/list?');
    expect(doors.code, JSON.stringify(doors)).toBe(0);
    expect(doors.data.map((d: { name: string }) => d.name)).toEqual(['192.168.1.201-1', '192.168.1.201-2', '192.168.1.201-3', '192.168.1.201-4']);
    doorId = doors.data[0].id;
    // "paging is required: -92 without it"
    const list = curls.find('/api/door/list?');
    expect(JSON.parse((await runCurl({ ...list, url: here(list.url).replace(/pageNo=\d+&pageSize=\d+&/, '') })).text)).toMatchObject({ code: -92 });
    // The README's words for a closed door with its lock locked, as the panel reports them at once.
    const said = /`("sensor":"[^`]*")`/.exec(readmeSection(WALK, true));
    expect(said, "step 3 says what doorStateBySn answers").not.toBeNull();
    const expected = JSON.parse(`{${said![1]}}`);
    expect(expected).toEqual({ sensor: 'off', relay: 'off', alarm: 'none' });
    let states: any;
    for (const end = Date.now() + 10_000; Date.now() < end; await pause(200)) {
      states = await curls.json('/api/door/doorStateBySn?');
      if (states.data?.every((d: Record<string, string>) => d.sensor === 'off')) break;
    }
    expect(states.data, JSON.stringify(states)).toHaveLength(4);
    for (const d of states.data) expect(d).toMatchObject({ connect: '1', ...expected });
  });

  it('3. an access level on its first door; a remote opening reaches the panel, which logs it', async () => {
    expect(await curls.json('/api/accLevel/addLevel?')).toEqual(ok);
    expect(await curls.json('/api/accLevel/addLevelDoor?')).toEqual(ok);
    const level = await curls.json('/api/accLevel/getByName/Main?');
    expect(level).toMatchObject({ code: 0, data: { name: 'Main' } });
    levelId = level.data.id;
    // "opens it 5 s; answers once queued"
    expect(await curls.json('/api/door/remoteOpenById?', { '<a door id>': doorId })).toEqual(ok);
    await panel.waitFor(/<- C:\d+:CONTROL DEVICE 01010105\n/);
    // The line step 3 says the simulator prints for it.
    const printed = /`(event door 1: remote opening[^`]*)`/.exec(readmeSection(WALK, true));
    expect(printed, 'step 3 shows the line the simulator prints for a remote opening').not.toBeNull();
    await panel.waitFor(new RegExp(` ${printed![1].replace(/[()]/g, '\\$&')}\n`));
    let events: any;
    for (const end = Date.now() + 10_000; Date.now() < end; await pause(200)) {
      events = await runCurl({ ...curls.find('/api/door/list?'), url: `${t.baseUrl}/api/transaction/list?pageNo=1&pageSize=10&deviceSn=SIM0000001&${vars(WALK, true).T}` });
      events = JSON.parse(events.text);
      if (events.data?.some((e: { eventName: string }) => e.eventName === 'remote opening')) break;
    }
    expect(events.data, JSON.stringify(events)).toContainEqual(expect.objectContaining({ eventName: 'remote opening', eventPointName: '192.168.1.201-1' }));
  });

  it('3. a person with that level: the simulator prints the DATA UPDATE user and userauthorize lines it receives', async () => {
    expect(await curls.json('/api/person/add?', { '<the level id>': levelId })).toEqual(ok);
    await panel.waitFor(/<- C:\d+:DATA UPDATE user CardNo=123456\tPin=2001\tPassword=\tStartTime=0\tEndTime=0\tName=Ada\tPrivilege=0\tDisable=0\n/);
    await panel.waitFor(/<- C:\d+:DATA UPDATE userauthorize Pin=2001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1\n/);
    expect(curls.notRun(), 'every curl line of the walk-through ran').toEqual([]);
  });
});

describe('README: an attendance terminal, from a fresh install', () => {
  let curls: ReturnType<typeof curlsOf>;
  let terminal: SimulatorProcess;

  beforeAll(() => {
    curls = curlsOf(readmeCurls(ATTENDANCE, vars(ATTENDANCE)));
  });

  it('1-2. the terminal connects, and a person set in attendance area 1 reaches it as the USERINFO line it prints', async () => {
    terminal = simulatorOf(ATTENDANCE);
    await terminal.waitFor(/connected ATT0000001: Delay=\d+s/);
    expect(await curls.json('/api/person/add?')).toEqual(ok);
    expect(await curls.json('/api/attAreaPerson/set?')).toEqual(ok);
    await terminal.waitFor(/<- C:\d+:DATA UPDATE USERINFO PIN=2001\tName=Ada\tPri=0\tPasswd=\tCard=123456\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=\n/);
  });

  // The README waits 25 s for "a punch or two"; a punch is Ada's 4 times in 5, so two of hers may take longer.
  it("3. payroll reads the terminal's punches as Ada's check-in and check-out in turn", async () => {
    let list: any;
    for (const end = Date.now() + 75_000; Date.now() < end; await pause(1000)) {
      list = await curls.json('/api/transaction/listAttTransaction?');
      if (list.data?.length >= 2) break;
    }
    expect(list.code, JSON.stringify(list)).toBe(0);
    expect(list.data.length, terminal.out()).toBeGreaterThanOrEqual(2);
    for (const p of list.data) expect(p).toMatchObject({ pin: '2001', name: 'Ada', cardNo: '123456', devSn: 'ATT0000001' });
    // Newest first: the oldest is her check-in, then they alternate.
    const names = list.data.map((p: { eventName: string }) => p.eventName).reverse();
    expect(names).toEqual(names.map((_: string, i: number) => (i % 2 ? 'Check-Out' : 'Check-In')));
    expect(terminal.out()).toMatch(/punch pin=2001 \S+ \S+ status=0 -> HTTP 200 "OK: 1"/);
    expect(curls.notRun()).toEqual([]);
  }, 90_000);
});

/** A command-line tool's run, as `npm run <tool>` runs it with DATABASE_URL set (which the README allows beside a running gateway). */
async function tool(run: (args: string[], out: (l: string) => void) => Promise<number>, args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = t.db.url;
  try {
    return { code: await run(args, (l) => lines.push(l)), lines };
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

/** The section's `npm run <name> -- …` lines, as the arguments the tool gets (a trailing comment dropped). */
function toolLines(heading: string, name: string, ownText = false): string[][] {
  return readmeShellLines(heading, {}, ownText)
    .filter((l) => l.words.slice(0, 4).join(' ') === `npm run ${name} --`)
    .map((l) => l.words.slice(4));
}

describe("README: step 1's token commands and the console's first administrator", () => {
  it('npm run token -- create payroll prints a token that the first call accepts; list shows it; revoke disables it', async () => {
    const lines = toolLines(WALK, 'token', true);
    const [create, list, revoke] = ['create', 'list', 'revoke'].map((verb) => lines.find((l) => l[0] === verb));
    expect([create, list, revoke], JSON.stringify(lines)).not.toContain(undefined);
    const name = create![1];
    expect(revoke![1]).toBe(name);
    const created = await tool(runTokenCommand, create!);
    expect(created.code, created.lines.join('\n')).toBe(0);
    const token = created.lines[1];
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    const first = readmeCurls(WALK, {}, true).find((c) => c.line.includes('/api/department/get/1'))!;
    const r = await runCurl({ ...first, url: here(first.url).replace(/access_token=[^&]*/, `access_token=${token}`) });
    expect(JSON.parse(r.text)).toMatchObject({ code: 0, data: { code: '1' } });
    expect((await tool(runTokenCommand, list!)).lines).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\tyes\\t`)));
    expect((await tool(runTokenCommand, revoke!)).code).toBe(0);
    expect((await tool(runTokenCommand, list!)).lines).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\tno\\t`)));
  });

  it('npm run operator -- create alice --role admin prints a password that signs in at /console, where the bare address leads', async () => {
    const lines = toolLines('## Operator console', 'operator', true);
    expect(lines.map((l) => l[0])).toEqual(['create']);
    const created = await tool(runOperatorCommand, lines[0]);
    expect(created.code, created.lines.join('\n')).toBe(0);
    const password = created.lines.at(-1)!;
    expect(password.length).toBeGreaterThanOrEqual(10);
    const login = await fetch(`${t.baseUrl}/console/api/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: lines[0][1], password }),
    });
    expect(await login.json()).toMatchObject({ code: 0, data: { operator: { name: lines[0][1], role: 'admin' } } });
    expect(login.headers.get('set-cookie')).toMatch(/^cvgw_console=/);
    const bare = await fetch(`${t.baseUrl}/`, { redirect: 'manual' });
    expect(bare.status).toBeGreaterThanOrEqual(300);
    expect(bare.status).toBeLessThan(400);
    expect(bare.headers.get('location')).toMatch(/\/console\/?$/);
  });
});
