import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AppConfig } from '../../src/config/config';
import { defaultPushSettings } from '../../src/push/push-settings';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { newId } from '../../src/common/ids';
import { settingsOf, sleep } from '../push/push-helpers';
import { AttendanceTerminal, type AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import type { DeviceSimulator } from '../simulator/device-simulator';
import type { FetchLike } from '../simulator/http';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The set-up of the attendance terminal specs: one app for the file, with the periodic reconciler off (a test
 * runs passes itself) and, before each test, the push settings back to the defaults with quick acknowledgement
 * timeouts. `use` receives the app and its reconciler once started.
 */
export function useAttendanceApp(overrides: Partial<AppConfig>, use: (app: { t: TestApp; reconciler: SyncReconciler }) => void): void {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await startTestApp({ syncReconcileIntervalMs: 0, ...overrides });
    use({ t, reconciler: t.app.get(SyncReconciler) });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    Object.assign(settingsOf(t!), defaultPushSettings(), { lastSeenFlushMs: 3_600_000, ackTimeoutMs: 1000, maxAttempts: 3 });
  });
}

/** A terminal that has initialised (admitted under the test app's auto admission). */
export async function initialisedTerminal(t: Pick<TestApp, 'baseUrl'>, opts: Partial<AttendanceTerminalOptions> & { sn: string }): Promise<AttendanceTerminal> {
  const term = new AttendanceTerminal({ baseUrl: t.baseUrl, ...opts });
  if (!(await term.init())) throw new Error(`terminal ${opts.sn} was not given its options: ${term.initBody}`);
  return term;
}

/** An initialised terminal (PushOptionsFlag=1: it pushes its options) in an area of its own named by its SN, settled. */
export async function terminalInOwnArea(
  t: Pick<TestApp, 'baseUrl' | 'post' | 'put'>,
  reconciler: Pick<SyncReconciler, 'idle'>,
  sn: string,
  opts: Partial<AttendanceTerminalOptions> = {},
): Promise<AttendanceTerminal> {
  if ((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code !== 0) throw new Error(`area ${sn} not made`);
  const term = await initialisedTerminal(t, { sn, pushOptionsFlag: true, ...opts });
  if ((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code !== 0) throw new Error(`terminal ${sn} not put in its area`);
  await settleTerminal(reconciler, term);
  return term;
}

/**
 * Reconciler passes until `done`, or for at most about 16 s (a refusal's backoff is about a second in these specs):
 * one every 250 ms, so that the wait ends when the retry has come, not at a fixed time past the backoff (not more
 * often: each pass on the embedded database costs this process's CPU).
 */
export async function settleUntil(reconciler: Pick<SyncReconciler, 'idle' | 'runOnce'>, term: AttendanceTerminal, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 16_500;
  while (!done() && Date.now() < deadline) {
    await settleTerminal(reconciler, term);
    if (done()) return;
    await new Promise((r) => setTimeout(r, 250));
    await reconciler.runOnce();
  }
  await settleTerminal(reconciler, term);
}

/** A person straight in the database (department code 1), for ingest tests that need a name to join. */
export async function insertPerson(t: Pick<TestApp, 'ds'>, pin: string, name: string, lastName: string | null = null): Promise<string> {
  const [dept] = await t.ds.query(`SELECT id FROM department WHERE code = '1'`);
  const id = newId();
  await t.ds.query(`INSERT INTO person (id, pin, name, last_name, dept_id) VALUES ($1, $2, $3, $4, $5)`, [id, pin, name, lastName, dept.id]);
  return id;
}

export const punchesOf = (t: Pick<TestApp, 'ds'>, sn: string) =>
  t.ds.query(`SELECT pin, name, status, verify_mode_no, work_code, to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at FROM att_transaction WHERE device_sn = $1 ORDER BY event_time, pin`, [sn]);

/** Reconciler passes and polls until the terminal gets nothing more. */
export async function settleTerminal(reconciler: Pick<SyncReconciler, 'idle'>, term: AttendanceTerminal, rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    const got = await term.drain();
    await reconciler.idle();
    if (got.length === 0) return;
  }
}

/** Reconciler passes and polls of the terminal until `until`, or `ms` passed (a retry's backoff, say). */
export async function runTerminalUntil(reconciler: Pick<SyncReconciler, 'idle' | 'runOnce'>, term: AttendanceTerminal, until: () => boolean, ms = 10_000): Promise<void> {
  await settleTerminal(reconciler, term);
  for (const end = Date.now() + ms; !until() && Date.now() < end; ) {
    await sleep(100);
    await reconciler.runOnce();
    await settleTerminal(reconciler, term);
  }
}

/** What is left to do for a device: commands queued or unanswered, items failing or held with unknown content (`?`), syncs owed. */
export async function pendingOn(t: Pick<TestApp, 'ds'>, sn: string): Promise<{ commands: number; failing: number; owed: number }> {
  const [row] = await t.ds.query(
    `SELECT (SELECT count(*)::int FROM device_command c WHERE c.device_sn = d.sn AND c.state IN ('pending', 'sent')) AS commands,
            (SELECT count(*)::int FROM sync_item s WHERE s.device_id = d.id AND (s.failures > 0 OR s.hash = '?')) AS failing,
            (SELECT count(*)::int FROM sync_owed o WHERE o.device_id = d.id) AS owed
       FROM device d WHERE d.sn = $1`,
    [sn],
  );
  return row;
}
export const nothingPending = { commands: 0, failing: 0, owed: 0 };

/** Reconciler passes and polls until the access panel gets nothing more. */
export async function settlePanel(reconciler: Pick<SyncReconciler, 'idle'>, sim: DeviceSimulator): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await reconciler.idle();
    const got = await sim.pollUntilIdle({ maxPolls: 50 });
    await reconciler.idle();
    if (got.length === 0) return;
  }
}

/** An answer to a terminal as it came over the wire. */
export interface SeenAnswer {
  path: string;
  contentType: string;
  bytes: Buffer;
}

/** The global fetch, every answer's path, content type and bytes kept (the terminal still gets its body). */
export function recordingFetch(seen: SeenAnswer[]): FetchLike {
  return async (input, init) => {
    const res = await fetch(input, init);
    const bytes = Buffer.from(await res.arrayBuffer());
    seen.push({ path: new URL(input).pathname, contentType: res.headers.get('content-type') ?? '', bytes });
    return {
      status: res.status,
      headers: res.headers,
      text: async () => bytes.toString('utf8'),
      arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    };
  };
}

/**
 * What the database puts on the terminals of these attendance areas, by area code: pin → the person's stored templates
 * (`Type.No.Index=Tmp`, in slot order) and photo, in heldBiometrics' form.
 */
export async function wantedBiometrics(t: Pick<TestApp, 'ds'>, codes: readonly string[]): Promise<Array<Record<string, string>>> {
  const rows: Array<{ code: string; pin: string; photo: string | null; tmps: string[] | null }> = await t.ds.query(
    `SELECT a.code, p.pin, p.photo,
            (SELECT array_agg(b.bio_type || '.' || b.template_no || '.' || b.template_no_index || '=' || b.template ORDER BY b.bio_type, b.template_no, b.template_no_index)
               FROM bio_template b WHERE b.person_id = p.id) AS tmps
       FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id AND p.status = 'active'
      WHERE ap.module = 'att' AND a.code = ANY($1) ORDER BY p.pin`,
    [codes],
  );
  return codes.map((code) => Object.fromEntries(rows.filter((r) => r.code === code).map((r) => [r.pin, `${(r.tmps ?? []).join(' ')} | ${r.photo ?? ''}`])));
}

/** What a terminal holds: pin → its BIODATA templates (`Type.No.Index=Tmp`, in slot order) and photo. */
export function heldBiometrics(term: AttendanceTerminal): Record<string, string> {
  return Object.fromEntries(
    [...term.users.keys()].sort().map((pin) => {
      const tmps = term
        .templatesOf(pin)
        .map((x) => ({ type: Number(x.fields.Type), no: Number(x.fields.No), index: Number(x.fields.Index), tmp: x.fields.Tmp }))
        .sort((a, b) => a.type - b.type || a.no - b.no || a.index - b.index)
        .map((x) => `${x.type}.${x.no}.${x.index}=${x.tmp}`);
      return [pin, `${tmps.join(' ')} | ${term.photos.get(pin)?.content ?? ''}`];
    }),
  );
}

/**
 * The end of a fault property's run: the terminals' faults cleared, then rounds of a reconciler pass and, per terminal,
 * a poll carrying INFO (real terminals send it every few polls: its user count reveals a wipe) and its settling,
 * until `converged` (at most 20 rounds, 250 ms apart).
 */
export async function convergeTerminals(reconciler: Pick<SyncReconciler, 'runOnce' | 'idle'>, terms: readonly AttendanceTerminal[], converged: () => Promise<boolean>): Promise<void> {
  for (const term of terms) {
    term.clearFaults();
    term.loseNoMoreReplies();
  }
  for (let round = 0; round < 20; round++) {
    await reconciler.runOnce();
    for (const term of terms) {
      await term.poll(true);
      await settleTerminal(reconciler, term);
    }
    if (await converged()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The app of a fault property over attendance terminals, one per area in `areas` (admitted, in its area, settled).
 * The periodic verification every second: a user deleted at a terminal's menu is noticed by its next INFO. Refusals
 * (-1002) in three replies in a row are for good: probed again within convergeTerminals' rounds. A lost reply is
 * noticed at the terminal's next poll 200 ms after (real terminals poll every few seconds).
 */
export async function startFaultProperty(
  areas: readonly string[],
  optionsOf: (code: string) => Partial<AttendanceTerminalOptions> = () => ({}),
): Promise<{ t: TestApp; reconciler: SyncReconciler; terms: AttendanceTerminal[] }> {
  const t = await startTestApp({ syncRetryBaseMs: 100, syncRetryMaxMs: 200, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 1000, syncRefusalProbeMs: 200, syncRefusalProbeMaxMs: 1000 });
  const reconciler = t.app.get(SyncReconciler);
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000 });
  const terms: AttendanceTerminal[] = [];
  for (const code of areas) {
    if ((await t.post('/api/gateway/areas', { code, name: code })).body.code !== 0) throw new Error(`area ${code} not made`);
    const term = await initialisedTerminal(t, { sn: code, ...optionsOf(code) });
    if ((await t.put(`/api/gateway/devices/${code}/area`, { areaCode: code })).body.code !== 0) throw new Error(`terminal ${code} not put in its area`);
    await settleTerminal(reconciler, term);
    terms.push(term);
  }
  return { t, reconciler, terms };
}

/** A terminal's fault in a fault property, on terminal `term` of the property's terminals. */
export type TerminalFaultOp =
  | { kind: 'lose' | 'runLost' | 'poll' | 'reset'; term: number }
  | { kind: 'forget'; term: number; pin: string }
  | { kind: 'refuse'; term: number; n: number };

/**
 * Plays a terminal fault: its next reply lost (nothing runs), a reply run whose results never reach the gateway,
 * its next `n` DATA commands refused (-1002), a poll, a factory reset (wiped, the server not told: the next INFO's
 * user count shows it), a user deleted at its menu. False for an op that is no terminal fault.
 */
export async function playTerminalFault(terms: readonly AttendanceTerminal[], o: { kind: string }): Promise<boolean> {
  const f = o as TerminalFaultOp;
  const term = terms[f.term];
  if (f.kind === 'lose') term.loseNextReply();
  else if (f.kind === 'runLost') {
    term.holdResults();
    await term.poll();
    term.stopHoldingResults();
    term.dropHeldResults();
  } else if (f.kind === 'refuse') term.failCommands((c) => c.startsWith('DATA'), -1002, f.n);
  else if (f.kind === 'poll') await term.poll();
  else if (f.kind === 'reset') {
    if (!(await term.factoryReset())) throw new Error(`terminal ${term.sn} not given its options after its reset`);
  } else if (f.kind === 'forget') term.deleteUserLocally(f.pin);
  else return false;
  return true;
}

/** A fault property's membership write: `pin` (made a person first when there is none) set in or taken out of area `code`. */
export async function setAreaMember(t: Pick<TestApp, 'get' | 'post' | 'delete'>, kind: 'set' | 'unset', code: string, pin: string): Promise<void> {
  if ((await t.get('/api/v2/person/get', { pin })).body.code !== 0 && (await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code !== 0) throw new Error(`person ${pin} not made`);
  const r = kind === 'set' ? await t.post('/api/attAreaPerson/set', { code, pins: [pin] }) : await t.delete('/api/attAreaPerson/delete', {}, { code, pins: pin });
  if (r.body.code !== 0) throw new Error(`attAreaPerson ${kind} ${pin} in ${code}: ${JSON.stringify(r.body)}`);
}

/** A BIODATA template line as the planner sends it (attendance manual 12.1.1.6). */
export const biodataLine = (pin: string, no: number, type: number, major: number, tmp: string) =>
  `DATA UPDATE BIODATA Pin=${pin}\tNo=${no}\tIndex=0\tValid=1\tDuress=0\tType=${type}\tMajorVer=${major}\tMinorVer=0\tFormat=0\tTmp=${tmp}`;

/** The template commands a terminal ran with Return=0 since `from`, in order. */
export const templateCommandsRun = (term: AttendanceTerminal, from: number): string[] =>
  term.executed
    .slice(from)
    .filter((e) => e.returnCode === 0 && /^DATA (UPDATE|DELETE) (BIODATA|FINGERTMP|FACE|FVEIN)/.test(e.command))
    .map((e) => e.command);
