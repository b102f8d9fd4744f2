import { afterAll, beforeAll, expect, onTestFinished } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import type { FetchLike } from '../simulator/http';
import { startTestApp, type TestApp } from '../support/test-app';
import type { DeviceSimulator } from '../simulator/device-simulator';

/**
 * A fetch that loses the answers to the next `count` devicecmd POSTs: the gateway got the results and answered,
 * the device never saw the answer (and, with `retryResults`, posts the same results again).
 */
export function resultReplyLoss(): { fetch: FetchLike; count: number } {
  const loss = {
    count: 0,
    fetch: (async (url, init) => {
      const res = await (globalThis.fetch as unknown as FetchLike)(url, init);
      if (loss.count > 0 && url.includes('/iclock/devicecmd')) {
        loss.count--;
        await res.text();
        return { status: 504, headers: { forEach: () => undefined }, text: async () => '' };
      }
      return res;
    }) as FetchLike,
  };
  return loss;
}

/** The next `cut` getrequest replies that carry more than one command arrive with their first command only. */
export class CutShort {
  cut = 0;
  wrap(inner: FetchLike): FetchLike {
    return async (url, init) => {
      const res = await inner(url, init);
      if (this.cut <= 0 || !url.includes('/iclock/getrequest') || res.status !== 200) return res;
      const body = await res.text();
      const starts = [...body.matchAll(/^C:/gm)].map((m) => m.index ?? 0);
      if (starts.length < 2) return { status: res.status, headers: res.headers, text: async () => body };
      this.cut--;
      const short = body.slice(0, starts[1]);
      return { status: res.status, headers: res.headers, text: async () => short };
    };
  }
}

/** What a device holds in `tables`, each row as sorted key=value text, rows sorted. */
export function tableSnapshot(sim: DeviceSimulator, tables: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of tables) {
    out[name] = sim
      .table(name)
      .map((r) => Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).sort().join(' '))
      .sort();
  }
  return out;
}

/** What the convergence answer says of a device, in the fields "synced" depends on. */
export interface ConvergenceClaim {
  state: string;
  divergent: boolean;
  pendingCommands: number;
  unconfirmedItems: number;
}

/**
 * The convergence answer says the device holds what the database gives: its state (an attendance terminal whose user
 * count is owed is `pending` with nothing in flight or unconfirmed) and the counts it rests on.
 */
export const claimsSynced = (c: ConvergenceClaim): boolean => c.state === 'synced' && !c.divergent && c.pendingCommands === 0 && c.unconfirmedItems === 0;

/** `GET /api/gateway/devices/{sn}/convergence`'s data. */
export async function convergenceOf(t: Pick<TestApp, 'get'>, sn: string): Promise<ConvergenceClaim & Record<string, unknown>> {
  return (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
}

/**
 * The rounds of devices coming back with faults, each run by `round` (their polls, and whatever the test records of
 * them), which answers whether every device it polled is said synced with no result held back: a reconciler pass
 * after each round and a pause of `pauseMs`, until that has held for three rounds in a row spanning at least
 * STEADY_MS, at most `rounds` rounds. A fixed count every time was most of these tests' time (on a loaded machine a
 * round takes a second or more) though the devices settle within a few; the steady stretch still lets a later pass,
 * or a retry due within the fault app's longest backoff (syncRetryMaxMs 400), undo the claim and be seen by the
 * honesty and oracle checks after it, and every round before the claim runs as before.
 */
const STEADY_MS = 500;
export async function watchSettling(
  reconciler: { idle(): Promise<unknown>; runOnce(): Promise<unknown> },
  round: (i: number) => Promise<boolean>,
  { rounds = 20, pauseMs = 50 }: { rounds?: number; pauseMs?: number } = {},
): Promise<void> {
  let steady = 0;
  let since = 0;
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    const settled = await round(i);
    await reconciler.runOnce();
    if (settled) {
      if (steady++ === 0) since = Date.now();
      if (steady >= 3 && Date.now() - since >= STEADY_MS) return;
    } else {
      steady = 0;
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** Polls and runs the reconciler until the device is said synced with no result held back, within `rounds`. */
export async function settleConverged(
  t: Pick<TestApp, 'get'>,
  reconciler: { idle(): Promise<unknown>; runOnce(): Promise<unknown> },
  sim: { sn: string; pendingAcks: ReadonlyArray<unknown>; pollUntilIdle(opts: { maxPolls?: number }): Promise<unknown> },
  rounds = 20,
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    if (claimsSynced(await convergenceOf(t, sim.sn)) && sim.pendingAcks.length === 0) return;
    await new Promise((r) => setTimeout(r, 150));
    await reconciler.runOnce();
  }
}

/** The REST answer is a success (code 0), else its message. */
/**
 * Polls the panel and runs the reconciler until `done`, within a bound (the door and panel option files' wait for a
 * panel to hold what its rows say).
 */
export async function reconcileUntil(reconciler: SyncReconciler, done: () => Promise<boolean>, sim: DeviceSimulator, rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 200));
    await reconciler.runOnce();
  }
  expect(await done(), 'condition not reached').toBe(true);
}

export async function ok(p: Promise<{ body: { code: number; message?: string } }>): Promise<void> {
  const r = await p;
  expect(r.body.code, r.body.message).toBe(0);
}

/**
 * The fault specs' gateway: retries, lost-reply and refusal probes in a few hundred milliseconds instead of
 * minutes, and no periodic reconcile (the specs run it themselves through `reconciler`).
 */
/**
 * The person edits the seeded fault schedules play on every kind of device (panel, elevator, channel controller):
 * `base` is the person as stored (or as it would be added), so each edit changes one thing. A card is one of the
 * schedule's own range (`9<tag><n>`); the API refuses one another person holds, and then nothing changed.
 */
export async function playPersonEdit(
  t: Pick<TestApp, 'post'>,
  what: 'rename' | 'card' | 'disable' | 'enable',
  base: Record<string, unknown>,
  r: { int(n: number): number },
  tag: string,
  log: string[],
): Promise<void> {
  if (what === 'rename') return ok(t.post('/api/person/add', { ...base, name: `R${r.int(100)}` }));
  if (what !== 'card') return ok(t.post('/api/person/add', { ...base, isDisabled: what === 'disable' }));
  const res = await t.post('/api/person/add', { ...base, cardNo: `9${tag}${r.int(6)}` });
  expect([0, -23], JSON.stringify(res.body)).toContain(res.body.code);
  if (res.body.code !== 0) log.push(`  refused: ${res.body.message}`);
}

/** The person writes of the access panel's seeded schedules (seeded-fault-schedules, -learn). */
export type PersonWrite = 'add' | 'rename' | 'card' | 'disable' | 'enable' | 'delete' | 'grant' | 'revoke';

/** A person as stored (null when none), and `base`: the person as stored, or as a new one would be added (drawing from `r` its levels). */
export interface PersonBase {
  person: { name: string; cardNo: string | null; accLevelIds: string; isDisabled: boolean } | null;
  base: { pin: string; name: string; cardNo?: string; accLevelIds: string; isDisabled?: boolean };
}

/** Reads the person of `pin` through REST; a new one is given one of `levels` or both (one draw of `r`). */
export async function personBase(t: Pick<TestApp, 'get'>, pin: string, levels: readonly string[], r: { pick<T>(xs: readonly T[]): T }): Promise<PersonBase> {
  const person = (await t.get('/api/v2/person/get', { pin })).body.data as PersonBase['person'];
  const base = person
    ? { pin, name: person.name, cardNo: person.cardNo ?? undefined, accLevelIds: person.accLevelIds, isDisabled: person.isDisabled }
    : { pin, name: `N${pin}`, accLevelIds: r.pick([levels[0], levels[1], levels.join(',')]) };
  return { person, base };
}

/**
 * Plays one PersonWrite through REST on the person personBase read, drawing from `r` in one fixed order (a seed
 * names one schedule): grant and revoke name one of `levels`.
 */
export async function playPersonWrite(
  t: Pick<TestApp, 'post' | 'delete'>,
  kind: PersonWrite,
  { person, base }: PersonBase,
  levels: readonly string[],
  r: { int(n: number): number; pick<T>(xs: readonly T[]): T },
  tag: string,
  log: string[],
): Promise<void> {
  const pin = base.pin;
  switch (kind) {
    case 'add':
      return ok(t.post('/api/person/add', { ...base, accLevelIds: r.pick([levels[0], levels[1], levels.join(',')]) }));
    case 'rename':
    case 'card':
    case 'disable':
    case 'enable':
      return playPersonEdit(t, kind, base, r, tag, log);
    case 'delete': {
      const res = await t.delete(`/api/person/delete/${pin}`);
      expect([0, -22]).toContain(res.body.code);
      return;
    }
    case 'grant':
      if (!person) return ok(t.post('/api/person/add', base));
      return ok(t.post('/api/accLevel/addLevelPerson', { pin, levelIds: r.pick(levels) }));
    case 'revoke': {
      const res = await t.post('/api/accLevel/deleteLevel', null, { pin, levelIds: r.pick(levels) });
      expect([0, -22], JSON.stringify(res.body)).toContain(res.body.code);
      return;
    }
  }
}

export async function startFaultApp(): Promise<{ t: TestApp; reconciler: SyncReconciler }> {
  const t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0 });
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
  return { t, reconciler: t.app.get(SyncReconciler) };
}

/** startFaultApp for a whole spec file: started before its tests (`use` receives it), closed after them. */
export function useFaultApp(use: (app: { t: TestApp; reconciler: SyncReconciler }) => void): void {
  let t: TestApp | undefined;
  beforeAll(async () => {
    const app = await startFaultApp();
    t = app.t;
    use(app);
  });
  afterAll(async () => {
    await t?.close();
  });
}

/** Replies of at most `perReply` commands until the calling test ends (the specs share one gateway). */
export function commandsPerReply(t: Pick<TestApp, 'app'>, perReply: number): void {
  const settings = settingsOf(t);
  const before = settings.maxCommandsPerReply;
  settings.maxCommandsPerReply = perReply;
  onTestFinished(() => {
    settings.maxCommandsPerReply = before;
  });
}

/**
 * FC_PER_REPLY=<n>: the fault properties run with replies of at most n commands, so the results of what one write
 * queued come in pieces over several polls, and remote actions wait beyond the head's reply and go first more often.
 * Unset, the gateway's own reply length stays.
 */
export function replyLengthFromEnv(t: Pick<TestApp, 'app'>): void {
  if (process.env.FC_PER_REPLY) commandsPerReply(t, Number(process.env.FC_PER_REPLY));
}

/**
 * The oracle of the fault specs: the same device factory-reset and synced again from the database holds this
 * (its `tables` as tableSnapshot gives them).
 */
export async function fromScratch(
  t: Pick<TestApp, 'get'>,
  reconciler: { idle(): Promise<unknown>; runOnce(): Promise<unknown> },
  sim: DeviceSimulator,
  tables: readonly string[],
): Promise<Record<string, string[]>> {
  expect((await sim.factoryReset()).registered).toBe(true);
  await settleConverged(t, reconciler, sim);
  return tableSnapshot(sim, tables);
}

/** The panel faults the fault properties share: a lost getrequest reply, a lost devicecmd answer, a factory reset, results posted last one first. */
export type PanelFault = 'lose' | 'loseResult' | 'reset' | 'hold';

/** Applies one PanelFault to `sim` (`lost`: the resultReplyLoss its fetch goes through). */
export async function panelFault(kind: PanelFault, sim: DeviceSimulator, lost: { count: number }): Promise<void> {
  switch (kind) {
    case 'lose':
      sim.loseNextReply();
      return;
    case 'loseResult':
      lost.count = 1;
      return;
    case 'reset':
      expect((await sim.factoryReset()).registered).toBe(true);
      return;
    case 'hold':
      sim.holdResults();
      await sim.poll();
      sim.stopHoldingResults();
      for (const x of [...sim.pendingAcks].reverse()) await sim.releaseResults((y) => y.id === x.id);
      return;
  }
}

/** The pins a panel holds a card number under (user CardNo, or mulcarduser; hex there as firmware keeps it). */
export function holdersOf(d: { sim: DeviceSimulator }, cardNo: string): string[] {
  const hex = Number(cardNo).toString(16).toUpperCase();
  const inUser = d.sim.table('user').filter((u) => String(u.CardNo ?? '') === cardNo).map((u) => String(u.Pin));
  const inMul = d.sim.table('mulcarduser').filter((r) => String(r.CardNo ?? '').toUpperCase() === hex || String(r.CardNo) === cardNo).map((r) => String(r.Pin));
  return [...new Set([...inUser, ...inMul])].sort();
}

/** Every user the panel holds, by Pin (strangers included), in the fields a person's REST record gives (wantedUsers). */
export function heldUsers(sim: DeviceSimulator): Record<string, string> {
  return Object.fromEntries(sim.table('user').map((u) => [String(u.Pin), `${u.Name} card=${u.CardNo ?? ''} disabled=${u.Disable ?? 0}`]));
}

/** The users a panel holding `levels`' doors should hold of `pins`, read through REST (heldUsers' form). */
export async function wantedUsers(t: Pick<TestApp, 'get'>, pins: readonly string[], levels: ReadonlySet<string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const pin of pins) {
    const p = (await t.get('/api/v2/person/get', { pin })).body.data as { name: string; cardNo: string | null; accLevelIds: string; isDisabled: boolean } | null;
    if (!p || !p.accLevelIds.split(',').some((id) => levels.has(id))) continue;
    out[pin] = `${p.name} card=${p.cardNo ?? ''} disabled=${p.isDisabled ? 1 : 0}`;
  }
  return out;
}
