import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SimulatorProcess } from '../support/simulate-cli';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * `npm run simulate` as the README has a newcomer run it (the built CLI, dist/test/simulator/cli.js, which
 * `npm test` builds first): an access panel by default, an elevator or channel controller or an attendance terminal with `--kind`.
 */
let t: TestApp;
const children: ChildProcess[] = [];
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await t?.close();
});

/** The CLI against this file's gateway (or `baseUrl`'s). */
function simulate(args: string[], baseUrl?: string): SimulatorProcess {
  return spawnSimulator(['--url', baseUrl ?? t.baseUrl, ...args], children);
}

describe('npm run simulate', () => {
  it('--kind attendance plays a terminal: it receives the users of its area, and its punches are the attendance transactions', async () => {
    const sim = simulate(['--kind', 'attendance', '--sn', 'CLIATT0001', '--interval', '1', '--events', '1']);
    await sim.waitFor(/connected CLIATT0001: Delay=\d+s/);
    expect((await t.post('/api/person/add', { pin: '3001', name: 'Ada', cardNo: '5550001' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3001'] })).body.code).toBe(0);
    await sim.waitFor(/<- C:\d+:DATA UPDATE USERINFO PIN=3001\tName=Ada/);
    await sim.waitFor(/-> ID=\d+ Return=0/);
    await sim.waitFor(/punch pin=3001 \S+ \S+ status=\d -> HTTP 200 "OK: 1"/, 30_000);
    const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 50, personPin: '3001' })).body;
    expect(list.code).toBe(0);
    expect(list.data.length).toBeGreaterThanOrEqual(1);
    expect(list.data[0]).toMatchObject({ pin: '3001', name: 'Ada', devSn: 'CLIATT0001' });
    sim.child.kill('SIGINT');
    expect(await sim.exit).toBe(0);
    expect(sim.out()).toMatch(/stopped: \d+ commands run, \d+ punches/);
  });

  it('plays an access panel by default; Ctrl-C stops it', async () => {
    const sim = simulate(['--sn', 'CLIPANEL01', '--doors', '2', '--interval', '1']);
    await sim.waitFor(/connected CLIPANEL01: registered=true/);
    expect((await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data.map((d: { name: string }) => d.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/-1$/), expect.stringMatching(/-2$/)]),
    );
    sim.child.kill('SIGINT');
    expect(await sim.exit).toBe(0);
    expect(sim.out()).toMatch(/stopped: \d+ commands received/);
  });

  it('a panel reports its door states as a real one does, without --rtstate: known at once, the lock released by a remote opening and locked again', async () => {
    const sim = simulate(['--sn', 'CLISTATE01', '--doors', '2', '--interval', '1']);
    await sim.waitFor(/connected CLISTATE01: registered=true/);
    const states = async () => (await t.get('/api/door/doorStateBySn', { sn: 'CLISTATE01' })).body.data as Array<{ name: string; connect: string; sensor: string; relay: string; alarm: string }>;
    const until = async (ok: (s: Awaited<ReturnType<typeof states>>) => boolean, what: string) => {
      const end = Date.now() + 20_000;
      for (;;) {
        const s = await states();
        if (ok(s)) return s;
        if (Date.now() > end) throw new Error(`${what}: ${JSON.stringify(s)}\n${sim.out()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    // Door sensors reporting closed ("off", as the manual words it), locks locked, no alarm: never "unknown".
    const first = await until((s) => s.length === 2 && s.every((d) => d.sensor !== 'unknown'), 'no door state reported');
    expect(first.map((d) => [d.connect, d.sensor, d.relay, d.alarm])).toEqual([
      ['1', 'off', 'off', 'none'],
      ['1', 'off', 'off', 'none'],
    ]);
    // A remote opening releases door 1's lock for 3 s: reported at once, and locked again after.
    const door1 = first[0].name;
    expect((await t.post('/api/door/remoteOpenByName', { doorName: door1, interval: 3 })).body.code).toBe(0);
    await until((s) => s[0].relay === 'open' && s[1].relay === 'off', 'the released lock was not reported');
    await until((s) => s[0].relay === 'off', 'the lock was not reported locked again');
    // The panel logs the remote opening as an event (8), as real firmware does.
    const events = (await t.get('/api/transaction/list', { pageNo: 1, pageSize: 100 })).body.data as Array<{ eventName: string; eventPointName: string; devSn: string }>;
    expect(events.filter((e) => e.devSn === 'CLISTATE01').map((e) => [e.eventName, e.eventPointName])).toContainEqual([expect.stringMatching(/remote open/i), door1]);
    // ...and prints it as it prints the events it makes itself.
    await sim.waitFor(/ event door 1: remote opening \(event=8\) -> HTTP 200\n/);
    sim.child.kill('SIGINT');
    expect(await sim.exit).toBe(0);
  });

  it('--rtstate 0 reports no door state (unknown), --door-sensor none reports doors without a sensor', async () => {
    const silent = simulate(['--sn', 'CLISTATE02', '--doors', '1', '--interval', '1', '--rtstate', '0']);
    const bare = simulate(['--sn', 'CLISTATE03', '--doors', '1', '--interval', '1', '--door-sensor', 'none']);
    await silent.waitFor(/connected CLISTATE02: registered=true/);
    await bare.waitFor(/rtstate .* -> HTTP 200/);
    // Polls enough for a report it would make at once (the other one made its report meanwhile).
    await new Promise((r) => setTimeout(r, 3000));
    expect((await t.get('/api/door/doorStateBySn', { sn: 'CLISTATE03' })).body.data[0]).toMatchObject({ sensor: 'no sensor', relay: 'off', alarm: 'none' });
    expect((await t.get('/api/door/doorStateBySn', { sn: 'CLISTATE02' })).body.data[0]).toMatchObject({ sensor: 'unknown', relay: 'unknown' });
    expect(silent.out()).not.toMatch(/rtstate/);
    silent.child.kill('SIGINT');
    bare.child.kill('SIGINT');
    expect(await silent.exit).toBe(0);
    expect(await bare.exit).toBe(0);
    const wrong = simulate(['--sn', 'CLISTATE04', '--door-sensor', 'ajar']);
    expect(await wrong.exit).toBe(2);
    expect(wrong.out()).toContain('--door-sensor must be closed or none, not ajar');
  });

  it.each([
    {
      what: '--kind elevator plays an elevator controller: an elevator device of 2.10 whose floor selections 2.19 serves',
      args: ['--kind', 'elevator', '--sn', 'CLIELE0001', '--floors', '6'],
      device: '/api/eleDevice/getEle',
      event: /floor \d: pin=99999 denied -> HTTP 200/,
      list: '/api/eleTransaction/list',
      points: { path: '/api/floor/list', count: 6 },
    },
    {
      what: '--kind channel plays a channel controller: a passage device of 2.30 whose refusals are passage events',
      args: ['--kind', 'channel', '--sn', 'CLIPSG0001', '--gates', '2'],
      device: '/api/psgDevice/getBySn',
      event: /gate \d (in|out): pin=99999 refused -> HTTP 200/,
      list: '/api/psgTransaction/list',
      // --gates 2 is two gates (2.31), not the panel's default of four doors.
      points: { path: '/api/psgGate/list', count: 2 },
    },
  ])('$what', async ({ args, device, event, list, points }) => {
    const sn = args[args.indexOf('--sn') + 1];
    const sim = simulate([...args, '--interval', '1', '--events', '1']);
    await sim.waitFor(new RegExp(`connected ${sn}: registered=true`));
    const found = (await t.get(device, { sn })).body;
    expect(found).toMatchObject({ code: 0, data: { sn } });
    const listed = (await t.get(points.path, { pageNo: 1, pageSize: 100 })).body.data as Array<{ deviceId: string }>;
    expect(listed.filter((p) => p.deviceId === found.data.id)).toHaveLength(points.count);
    await sim.waitFor(event, 30_000);
    const page = (await t.get(list, { pageNo: 1, pageSize: 10 })).body;
    expect(page.code).toBe(0);
    expect(page.data.length).toBeGreaterThanOrEqual(1);
    sim.child.kill('SIGINT');
    expect(await sim.exit).toBe(0);
  });

  it('refuses a kind it does not play', async () => {
    const sim = simulate(['--kind', 'lift']);
    expect(await sim.exit).toBe(2);
    expect(sim.out()).toContain('--kind must be panel, elevator, channel or attendance, not lift');
  });

  it('--comm-key: a panel and a terminal connect to a gateway with DEVICE_COMM_KEY (refused without it)', async () => {
    const keyed = await startTestApp({ deviceCommKey: 'sim-key-1234' });
    try {
      const without = simulate(['--sn', 'CLIKEY0000', '--interval', '1'], keyed.baseUrl);
      await without.waitFor(/connected CLIKEY0000: registered=false RegistryCode=- not registered yet: asking again every 15s/);
      expect(without.out()).toContain('-> 401 "ERROR: comm key missing or wrong"');
      without.child.kill('SIGINT');
      await without.exit;
      for (const args of [['--sn', 'CLIKEY0001'], ['--kind', 'attendance', '--sn', 'CLIKEY0002']]) {
        const sim = simulate([...args, '--interval', '1', '--comm-key', 'sim-key-1234'], keyed.baseUrl);
        await sim.waitFor(new RegExp(`connected ${args[args.length - 1]}: (registered=true|Delay=\\d+s)`));
        sim.child.kill('SIGINT');
        expect(await sim.exit).toBe(0);
      }
    } finally {
      await keyed.close();
    }
  });
});
