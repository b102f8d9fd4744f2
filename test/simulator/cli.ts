/**
 * Thin CLI over the simulated devices: connect, then poll / execute / acknowledge forever, optionally emitting
 * events. An access panel on Security PUSH (DeviceSimulator) by default; `--kind elevator` and `--kind channel`
 * play the elevator and channel controllers (floor selections, passages), `--kind attendance` an attendance
 * terminal on Attendance PUSH (AttendanceTerminal), whose events are punches (ATTLOG). Node only, no
 * dependencies.
 *
 *   npm run simulate -- --url http://127.0.0.1:8088 --sn SIM0001 --doors 4 [--interval 3] [--events 5]
 *   npm run simulate -- --kind attendance --url http://127.0.0.1:8088 --sn ATT0001 [--events 5]
 */
import { AttendanceTerminal, type ExecutedCommand } from './attendance-terminal';
import { ChannelControllerSimulator } from './channel';
import { DeviceSimulator, DeviceSimulatorOptions, REMOTE_ACTION_EVENTS } from './device-simulator';
import { rtstateFields } from './doors';
import { ElevatorControllerSimulator } from './elevator';
import { PunchStates } from './punch-states';
import type { FetchLike } from './http';
import { formatWallClock, offsetZone, parseTimeZoneOption, wallClock, type ReplyForm, type ReturnCase } from './wire';

/** Seconds between registration attempts while the gateway has not approved the device (README: within 15 s). */
const REGISTER_RETRY_S = 15;

const HELP = `Usage: npm run simulate -- --url <base url> --sn <serial> [options]

  --kind <k>             panel (an access panel on Security PUSH, the default) | elevator (an elevator
                         controller: its events are floor selections) | channel (a channel controller,
                         turnstile or barrier: its events are passages) | attendance (an attendance terminal on
                         Attendance PUSH: its events are punches, uploaded as ATTLOG)
  --url <url>            gateway base URL (default http://127.0.0.1:8088)
  --sn <serial>          device serial number (default SIM0000001)
  --interval <s>         seconds between polls (default: the server's RequestDelay, or Delay for a terminal)
  --events <s>           emit a random access event (a punch for a terminal) every <s> seconds (default: none)
  --comm-key <key>       the gateway's DEVICE_COMM_KEY, sent on every request as the X-Comm-Key header

Security PUSH devices (panel, elevator, channel):
  --doors <n>            LockCount of a panel (default 4)
  --floors <n>           floors of an elevator controller (default 10)
  --gates <n>            gates of a channel controller (default 1)
  --rtstate <s>          report the door (gate) states, rtstate, every <s> seconds and at once when one
                         changes, as a panel does (default 30; 0 = never: the gateway shows them unknown)
  --door-sensor <s>      closed (each door has a door sensor, reporting the door closed; the default) | none
  --tz <zone>            device time zone, IANA name or +08:00 (default: server TimeZone, else UTC)
  --reply-form <f>       single | batched | multiline (default single)
  --return-case <c>      Return | return (default Return)
  --push-version <v>     pushver of the handshake (default 3.1.2)
  --quiet                print commands and acks only, no HTTP lines

Attendance terminal only:
  --language <n>         language= of its initialisation: 69 English (default), 83 Chinese (GBK names)

  --help                 this text
`;

function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[a.slice(2)] = next;
      i++;
    } else out[a.slice(2)] = true;
  }
  return out;
}

const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);
const log = (msg: string) => process.stdout.write(`${stamp()} ${msg}\n`);
/** With `--comm-key`: fetch that sends the key on every request (X-Comm-Key), as a gateway with DEVICE_COMM_KEY requires. */
function commKeyFetch(args: Record<string, string | true>): FetchLike | undefined {
  const key = args['comm-key'];
  if (typeof key !== 'string') return undefined;
  const base = globalThis.fetch as unknown as FetchLike;
  return (input, init) => base(input, { ...init, headers: { ...init?.headers, 'X-Comm-Key': key } });
}
const num = (v: string | true | undefined): number | undefined => (typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.kind === 'attendance') return runTerminal(args);
  const kind = args.kind === undefined ? 'panel' : args.kind;
  if (kind !== 'panel' && kind !== 'elevator' && kind !== 'channel') {
    process.stderr.write(`--kind must be panel, elevator, channel or attendance, not ${String(args.kind)}\n${HELP}`);
    return 2;
  }
  const quiet = !!args.quiet;
  const opts: DeviceSimulatorOptions = {
    baseUrl: typeof args.url === 'string' ? args.url : 'http://127.0.0.1:8088',
    sn: typeof args.sn === 'string' ? args.sn : 'SIM0000001',
    requestDelay: num(args.interval),
    timeZone: typeof args.tz === 'string' ? args.tz : undefined,
    replyForm: typeof args['reply-form'] === 'string' ? (args['reply-form'] as ReplyForm) : undefined,
    returnCase: typeof args['return-case'] === 'string' ? (args['return-case'] as ReturnCase) : undefined,
    pushVersion: typeof args['push-version'] === 'string' ? args['push-version'] : undefined,
    fetch: commKeyFetch(args),
    // A panel logs its remote actions (8 remote opening, 9 remote closing…) as events, as real firmware does.
    logRemoteEvents: true,
    onCommand: (c) => log(`<- ${c.line}${c.continuation.length ? ` (+${c.continuation.length} records)` : ''}`),
    onAck: (a) => log(`-> ID=${a.id} Return=${a.code} CMD=${a.cmd} (HTTP ${a.status})`),
    // Printed as the panel's own events are, so that a remote opening shows beside the command that caused it.
    onLoggedEvents: (events, upload) => {
      for (const e of events) {
        const name = Object.values(REMOTE_ACTION_EVENTS).find((r) => r.event === Number(e.event))?.name ?? 'remote action';
        log(`event ${kind === 'channel' ? 'gate' : 'door'} ${e.eventaddr}: ${name} (event=${e.event}) -> HTTP ${upload.status}`);
      }
    },
    onExchange: (e) => {
      if (quiet || e.path === '/iclock/getrequest' || e.path === '/iclock/devicecmd') return;
      log(`   ${e.method} ${e.path}?${e.query} -> ${e.status ?? e.error}${e.responseBody ? ` ${JSON.stringify(e.responseBody.slice(0, 80))}` : ''}`);
    },
  };
  const sim =
    kind === 'elevator'
      ? new ElevatorControllerSimulator({ ...opts, floors: num(args.floors) ?? 10 })
      : kind === 'channel'
        ? new ChannelControllerSimulator({ ...opts, gates: num(args.gates) ?? 1 })
        : new DeviceSimulator({ ...opts, doors: num(args.doors) ?? 4 });
  const eventEvery = num(args.events);
  // An elevator controller has no doors to report; a panel and a channel controller (its gates) do.
  const rtstateEvery = sim instanceof ElevatorControllerSimulator ? 0 : (num(args.rtstate) ?? 30);
  const sensor = args['door-sensor'] === undefined ? 'closed' : args['door-sensor'];
  if (sensor !== 'closed' && sensor !== 'none') {
    process.stderr.write(`--door-sensor must be closed or none, not ${sensor}\n`);
    return 2;
  }
  if (!(sim instanceof ElevatorControllerSimulator) && !(sim instanceof ChannelControllerSimulator)) for (let d = 1; d <= sim.doorCount; d++) sim.setDoorSensor(d, sensor);

  const run = stoppable();
  const sleep = run.sleep;

  const connect = async () => {
    for (;;) {
      try {
        const r = await sim.connect();
        // Unregistered, the loop below asks again every REGISTER_RETRY_S, not at the server's RequestDelay.
        const pace = r.registered ? `RequestDelay=${sim.requestDelay}s` : `not registered yet: asking again every ${REGISTER_RETRY_S}s`;
        log(`connected ${sim.sn}: registered=${r.registered} RegistryCode=${r.registryCode ?? '-'} ${pace} zone=${sim.zone}`);
        return true;
      } catch (e) {
        const delay = Number(sim.serverOptions.ErrorDelay) || 10;
        log(`connect failed: ${(e as Error).message}; retrying in ${delay}s`);
        await sleep(delay * 1000);
        if (!run.running) return false;
      }
    }
  };

  if (!(await connect())) return 0;
  let nextEvent = eventEvery ? Date.now() + eventEvery * 1000 : Infinity;
  // The states are reported at once (they are unknown until then), then every --rtstate seconds and whenever
  // they change: a lock released by a remote opening or a granted card, and locked again.
  let nextState = rtstateEvery ? Date.now() : Infinity;
  let lastState = '';
  const stateNow = () => {
    const { sensor, relay, alarm } = rtstateFields(sim.doors, sim.clock());
    return `${sensor}/${relay}/${alarm}`;
  };
  while (run.running) {
    try {
      if (!sim.registered) {
        await sleep(REGISTER_RETRY_S * 1000);
        if (run.running) await connect();
        continue;
      }
      await sim.poll();
      if (sim.needsReconnect) {
        log('restart requested by the server: reconnecting');
        await connect();
        // A restarted panel reports its states afresh.
        nextState = rtstateEvery ? Date.now() : Infinity;
      }
      if (Date.now() >= nextEvent) {
        nextEvent = Date.now() + (eventEvery ?? 0) * 1000;
        // 4 times in 5 a user the device holds, else a stranger.
        const users = sim.table('user');
        const u = users.length && Math.random() < 0.8 ? users[Math.floor(Math.random() * users.length)] : undefined;
        const pick = (n: number) => 1 + Math.floor(Math.random() * n);
        const pin = u?.Pin ?? '99999';
        if (sim instanceof ElevatorControllerSimulator) {
          const floor = pick(sim.floorCount);
          const r = await sim.selectFloor({ pin, floor });
          log(`floor ${floor}: pin=${pin} ${r.allowed ? 'allowed' : 'denied'} -> HTTP ${r.status}`);
        } else if (sim instanceof ChannelControllerSimulator) {
          const gate = pick(sim.gateCount);
          const direction = Math.random() < 0.5 ? 'in' : 'out';
          const r = await sim.pass({ pin, gate, direction });
          log(`gate ${gate} ${direction}: pin=${pin} ${r.granted ? 'passed' : 'refused'} -> HTTP ${r.upload.status}`);
        } else {
          const door = pick(sim.doorCount);
          const { decision, upload } = await sim.access(u ? { pin: u.Pin, door } : { cardno: String(100000 + Math.floor(Math.random() * 900000)), door });
          log(`event door ${door}: pin=${decision.pin} event=${decision.event} (${decision.reason}) -> HTTP ${upload.status}`);
        }
      }
      if (rtstateEvery && (Date.now() >= nextState || stateNow() !== lastState)) {
        nextState = Date.now() + rtstateEvery * 1000;
        lastState = stateNow();
        const r = await sim.uploadRtstate();
        if (!quiet) log(`rtstate ${JSON.stringify(r.sent)} -> HTTP ${r.status}`);
      }
    } catch (e) {
      const delay = Number(sim.serverOptions.ErrorDelay) || 10;
      log(`error: ${(e as Error).message}; waiting ${delay}s`);
      await sleep(delay * 1000);
      continue;
    }
    await sleep(sim.requestDelay * 1000);
  }
  log(`stopped: ${sim.received.length} commands received, ${sim.acknowledged.length} acknowledged`);
  return 0;
}

/** The run loop's state: running until Ctrl-C (a second one forces), and a sleep that Ctrl-C cuts short. */
function stoppable(): { readonly running: boolean; sleep(ms: number): Promise<void> } {
  let running = true;
  let wake: (() => void) | undefined;
  const stop = () => {
    if (!running) process.exit(130);
    running = false;
    log('stopping (Ctrl-C again to force)');
    wake?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    get running() {
      return running;
    },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      }),
  };
}

/**
 * An attendance terminal: initialises (`GET /iclock/cdata?options=all`) until admitted, then polls at the
 * server's `Delay`, runs and reports what it gets (USERINFO, templates, options…), and punches every
 * `--events` seconds: 4 times in 5 as a user it holds, else as a PIN it does not know.
 */
async function runTerminal(args: Record<string, string | true>): Promise<number> {
  const term = new AttendanceTerminal({
    baseUrl: typeof args.url === 'string' ? args.url : 'http://127.0.0.1:8088',
    sn: typeof args.sn === 'string' ? args.sn : 'SIM0000001',
    language: typeof args.language === 'string' ? args.language : undefined,
    fetch: commKeyFetch(args),
  });
  const run = stoppable();
  const punchEvery = num(args.events);
  const errorDelay = () => (Number(term.serverOptions.ErrorDelay) || 10) * 1000;
  const printed = (done: ExecutedCommand[]) => {
    for (const d of done) {
      log(`<- C:${d.id}:${d.command}`);
      log(`-> ID=${d.id} Return=${d.returnCode}`);
    }
  };
  // Punch times are the terminal's wall clock: the zone the server's TimeZone option names, else UTC.
  const wallNow = () => {
    const tz = parseTimeZoneOption(term.serverOptions.TimeZone);
    return formatWallClock(wallClock(new Date(), tz === undefined ? 'UTC' : offsetZone(tz)));
  };

  const init = async (): Promise<boolean> => {
    while (run.running) {
      try {
        if (await term.init()) {
          log(`connected ${term.sn}: Delay=${term.serverOptions.Delay ?? '-'}s TimeZone=${term.serverOptions.TimeZone ?? '-'} Realtime=${term.serverOptions.Realtime ?? '-'}`);
          return true;
        }
        log(`${term.sn} is not admitted yet (approve it, or start the gateway with DEVICE_ADMISSION=auto); trying again in 15s`);
        await run.sleep(15_000);
      } catch (e) {
        log(`connect failed: ${(e as Error).message}; retrying in ${errorDelay() / 1000}s`);
        await run.sleep(errorDelay());
      }
    }
    return false;
  };

  if (!(await init())) return 0;
  let nextPunch = punchEvery ? Date.now() + punchEvery * 1000 : Infinity;
  let first = true;
  const states = new PunchStates();
  while (run.running) {
    try {
      printed(await term.poll(first));
      first = false;
      if (Date.now() >= nextPunch) {
        nextPunch = Date.now() + (punchEvery ?? 0) * 1000;
        const users = [...term.users.keys()];
        const pin = users.length && Math.random() < 0.8 ? users[Math.floor(Math.random() * users.length)] : String(90000 + Math.floor(Math.random() * 10000));
        // Check-in and check-out in turn for each person, by fingerprint (verify 1).
        const punch = { pin, time: wallNow(), status: states.next(pin), verify: 1 };
        const r = await term.punch(punch);
        log(`punch pin=${pin} ${punch.time} status=${punch.status}${term.users.has(pin) ? '' : ' (not held by the terminal)'} -> HTTP ${r?.status} ${JSON.stringify(r?.body.slice(0, 40) ?? '')}`);
      }
    } catch (e) {
      log(`error: ${(e as Error).message}; waiting ${errorDelay() / 1000}s`);
      await run.sleep(errorDelay());
      continue;
    }
    await run.sleep((num(args.interval) ?? (Number(term.serverOptions.Delay) || 10)) * 1000);
  }
  log(`stopped: ${term.executed.length} commands run, ${term.log.length} punches`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
