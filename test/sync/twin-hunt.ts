/**
 * A fault hunt against a faultless twin: random REST writes reach two panels on the same levels; one of them (`f`)
 * meets every fault at random, the other (`r`) none and is the reference. After each step, whenever `f` differs from
 * `r`, neither the convergence answer nor a pin's device status may say synced (a pin's status only for its own rows);
 * once the faults stop, `f` ends equal to `r`, both reported synced, and `r` equals a fresh full sync of itself.
 * Knobs: FC_RUNS, FC_SEED, FC_OPS (the longest run of operations), FC_PER_REPLY (short replies), FC_PAR (each write
 * races a reconciler pass and a poll of `f`).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { FetchLike } from '../simulator/http';
import { claimsSynced, convergenceOf, replyLengthFromEnv, resultReplyLoss, settleConverged } from './fault-helpers';

/**
 * What a hunt drives of a device: an access panel (DeviceSimulator) as it is, an attendance terminal through
 * TerminalTwin (test/attendance/terminal-twin.ts). `verb`: a command's first words (`DATA UPDATE`, `DATA COUNT`).
 */
export interface TwinDevice {
  readonly sn: string;
  readonly pendingAcks: ReadonlyArray<{ id: string }>;
  poll(): Promise<unknown[]>;
  pollUntilIdle(opts: { maxPolls?: number }): Promise<unknown[]>;
  loseNextReply(): void;
  loseNoMoreReplies(): void;
  /** A reboot: it connects again (registers, initialises). */
  connect(): Promise<{ registered: boolean }>;
  factoryReset(): Promise<{ registered: boolean }>;
  holdResults(): void;
  stopHoldingResults(): void;
  releaseResults(which: (r: { id: string }) => boolean): Promise<unknown>;
  dropHeldResults(): unknown;
  failCommands(match: (c: { verb: string | null }) => boolean, code: number, times: 'always'): unknown;
}

/** The faults `f` meets. */
export type TwinFault = { kind: 'lose' | 'loseResult' | 'mangle' | 'reset' | 'resetMidway' | 'reboot' | 'hold' | 'offline' | 'online' } | { kind: 'refuse'; n: number; code: number };

export const twinFault: fc.Arbitrary<TwinFault> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom('lose' as const, 'loseResult' as const, 'mangle' as const, 'reset' as const, 'resetMidway' as const, 'reboot' as const, 'hold' as const, 'offline' as const, 'online' as const) }), weight: 9 },
  { arbitrary: fc.record({ kind: fc.constant('refuse' as const), n: fc.integer({ min: 1, max: 3 }), code: fc.constantFrom(-1002, -12, -1004, -3) }), weight: 2 },
);

const FAULTS = new Set(['lose', 'loseResult', 'mangle', 'reset', 'resetMidway', 'reboot', 'hold', 'offline', 'online', 'refuse']);
export const isTwinFault = (o: { kind: string }): o is TwinFault => FAULTS.has(o.kind);

/** The faulty panel's transport and fault state. `fetch` for its simulator. */
export class TwinFaults {
  private readonly lost = resultReplyLoss();
  /** Devicecmd bodies whose second result is mangled on the way (`Return=0x`, unreadable): the others stand. */
  private mangle = 0;
  private refuse = { n: 0, code: 0 };
  offline = false;

  readonly fetch: FetchLike = async (url, init) => {
    if (this.mangle > 0 && url.includes('/iclock/devicecmd') && init?.body) {
      let n = 0;
      const out = Buffer.from(init.body).toString('latin1').replace(/Return=-?\d+/g, (m) => (++n === 2 ? 'Return=0x' : m));
      if (n >= 2) {
        this.mangle--;
        return this.lost.fetch(url, { ...init, body: Buffer.from(out, 'latin1') });
      }
    }
    return this.lost.fetch(url, init);
  };

  /** Refusals (negative Returns) of `f`'s DATA commands but its counts, while `refuse` asks for them. */
  arm(f: TwinDevice): void {
    for (const code of [-1002, -12, -1004, -3]) {
      f.failCommands((c) => c.verb?.startsWith('DATA') === true && c.verb !== 'DATA COUNT' && this.refuse.code === code && this.refuse.n > 0 && (this.refuse.n--, true), code, 'always');
    }
  }

  async apply(o: TwinFault, f: TwinDevice): Promise<void> {
    switch (o.kind) {
      case 'lose':
        return f.loseNextReply();
      case 'loseResult':
        this.lost.count = 2;
        return;
      case 'mangle':
        this.mangle = 2;
        return;
      case 'refuse':
        this.refuse = { n: o.n, code: o.code };
        return;
      case 'reset':
        expect((await f.factoryReset()).registered).toBe(true);
        return;
      case 'reboot':
        expect((await f.connect()).registered).toBe(true);
        return;
      case 'resetMidway':
      case 'hold':
        f.holdResults();
        await f.poll();
        f.stopHoldingResults();
        if (o.kind === 'hold') {
          for (const x of [...f.pendingAcks].reverse()) await f.releaseResults((y) => y.id === x.id);
          return;
        }
        f.dropHeldResults();
        expect((await f.factoryReset()).registered).toBe(true);
        return;
      case 'offline':
      case 'online':
        this.offline = o.kind === 'offline';
        return;
    }
  }

  stop(f: TwinDevice): void {
    this.offline = false;
    this.refuse = { n: 0, code: 0 };
    this.lost.count = 0;
    this.mangle = 0;
    f.loseNoMoreReplies();
  }
}

export interface TwinHunt<Op extends { kind: string }, D extends TwinDevice = TwinDevice> {
  t: TestApp;
  reconciler: SyncReconciler;
  f: D;
  r: D;
  faults: TwinFaults;
  snapshot: (sim: D) => Record<string, string[]>;
  /** Pins whose device status is checked. */
  pins: readonly string[];
  op: fc.Arbitrary<Op>;
  /** Applies a write (faults are applied here). */
  write: (o: Op) => Promise<void>;
  seed: number;
  /** Checks the faultless panel against the database itself at the end of each run (the twin only shows that `f` equals `r`). */
  oracle?: (r: D) => Promise<void>;
}

export async function huntAgainstTwin<Op extends { kind: string }, D extends TwinDevice>(h: TwinHunt<Op, D>): Promise<void> {
  const { t, reconciler, f, r, faults, snapshot } = h;
  replyLengthFromEnv(t);
  faults.arm(f);
  const apply = (o: Op) => (isTwinFault(o) ? faults.apply(o, f) : h.write(o));
  const rows = (x: Record<string, string[]>, p: string) => Object.values(x).flat().filter((row) => row.split(' ').some((kv) => kv.toLowerCase() === `pin=${p}`));
  const honest = async (what: string) => {
    const [fs, rs] = [snapshot(f), snapshot(r)];
    if (JSON.stringify(fs) === JSON.stringify(rs) || f.pendingAcks.length > 0) return;
    const s = await convergenceOf(t, f.sn);
    expect(claimsSynced(s), `said synced while it differs, ${what}: ${JSON.stringify({ fs, rs, s })}`).toBe(false);
    for (const p of h.pins) {
      const mine = (await t.get(`/api/gateway/persons/${p}/devices`)).body.data?.find?.((x: { deviceSn: string }) => x.deviceSn === f.sn);
      if (mine?.state === 'synced') expect(rows(fs, p), `${p} said synced, ${what}`).toEqual(rows(rs, p));
    }
  };
  await fc.assert(
    fc.asyncProperty(fc.array(h.op, { minLength: 1, maxLength: Number(process.env.FC_OPS ?? 10) }), async (ops) => {
      for (const [i, o] of ops.entries()) {
        if (process.env.FC_PAR && !faults.offline) await Promise.all([apply(o), reconciler.runOnce(), f.poll()]);
        else await apply(o);
        await reconciler.idle();
        await r.pollUntilIdle({ maxPolls: 50 });
        if (!faults.offline) await f.poll();
        await honest(`after ${JSON.stringify(ops.slice(0, i + 1))}`);
      }
      faults.stop(f);
      let same = false;
      for (let round = 0; round < 30 && !same; round++) {
        await reconciler.idle();
        await r.pollUntilIdle({ maxPolls: 50 });
        for (let k = 0; k < 10 && (await f.poll()).length > 0; k++) await honest(`settling after ${JSON.stringify(ops)}`);
        same = JSON.stringify(snapshot(f)) === JSON.stringify(snapshot(r)) && claimsSynced(await convergenceOf(t, f.sn)) && claimsSynced(await convergenceOf(t, r.sn));
        if (!same) {
          await new Promise((res) => setTimeout(res, 150));
          await reconciler.runOnce();
        }
      }
      expect(snapshot(f), JSON.stringify({ ops, status: await convergenceOf(t, f.sn) })).toEqual(snapshot(r));
      expect(await convergenceOf(t, f.sn), JSON.stringify({ ops })).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
      expect(await convergenceOf(t, r.sn)).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
      await h.oracle?.(r);
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 3), endOnFailure: true, seed: Number(process.env.FC_SEED ?? h.seed) },
  );
  const want = snapshot(r);
  expect((await r.factoryReset()).registered).toBe(true);
  await settleConverged(t, reconciler, r);
  expect(snapshot(r)).toEqual(want);
}
