import pg from 'pg';
import { CommandQueueService } from '../../src/push/command-queue.service';
import { PUSH_SETTINGS, type PushSettings } from '../../src/push/push-settings';
import { commandNotifySql, WorkSignalService } from '../../src/push/work-signal.service';
import { DeviceSimulator, type DeviceSimulatorOptions } from '../simulator/device-simulator';
import type { DataSource } from 'typeorm';

/** The part of test/support's TestApp these helpers use (not imported, so tsc does not pull test/support in). */
export interface TestApp {
  baseUrl: string;
  ds: DataSource;
  app: { get<T = unknown>(token: unknown): T };
}

export function settingsOf(t: Pick<TestApp, 'app'>): PushSettings {
  return t.app.get<PushSettings>(PUSH_SETTINGS);
}

/** Queues commands the way the REST side does: in a transaction of the caller. */
export async function enqueue(t: Pick<TestApp, 'app' | 'ds'>, sn: string, commands: string[]): Promise<void> {
  const queue = t.app.get<CommandQueueService>(CommandQueueService);
  await t.ds.transaction((m) => queue.enqueue(m, sn, commands));
}

export async function connectedSim(t: Pick<TestApp, 'baseUrl'>, opts: Partial<DeviceSimulatorOptions> & { sn: string }): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, doors: 2, ...opts });
  const r = await sim.connect();
  if (!r.registered) throw new Error(`simulator ${opts.sn} did not register`);
  return sim;
}

export interface CommandRow {
  id: string;
  command: string;
  state: string;
  attempts: number;
  attempt_id: string | null;
  return_code: number | null;
  error: string | null;
}

export async function commandsOf(t: Pick<TestApp, 'ds'>, sn: string): Promise<CommandRow[]> {
  return t.ds.query(
    `SELECT id::text, command, state, attempts, attempt_id::text, return_code, error FROM device_command WHERE device_sn = $1 ORDER BY id`,
    [sn],
  );
}

/**
 * Counts every statement any pg client of this process sends (TypeORM's pool included) while `fn` runs.
 */
export async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const queries: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    queries.push(typeof q === 'string' ? q : String((q as { text?: string })?.text ?? q));
    return original.apply(this, args);
  };
  try {
    const result = await fn();
    return { result, queries };
  } finally {
    proto.query = original;
  }
}

/**
 * The statements countQueries saw, without those that run on their own timers whatever the polls do: the batched
 * last-seen flush (one UPDATE per interval for every device) and the LISTEN connection's heartbeat (`SELECT 1`
 * every few seconds, work-signal.service.ts). On a loaded machine either may fall inside a window of polls.
 */
export function pollQueries(queries: readonly string[]): string[] {
  return queries.filter((q) => !q.includes('SET last_seen_at') && q.trim() !== 'SELECT 1');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until this process's LISTEN connection has received every NOTIFY committed before the call (the echo of
 * its own enqueues raises a device's work flag once more, late on a loaded machine): a marker NOTIFY sent now
 * reaches it after them, as notifications come in commit order. The embedded database delivers none.
 */
export async function notifiesLanded(t: Pick<TestApp, 'app' | 'ds'> & { db: { mode: string } }): Promise<void> {
  if (t.db.mode === 'embedded') return;
  const signal = t.app.get<WorkSignalService>(WorkSignalService);
  const marker = `NOTIFY-MARK-${process.pid}-${Date.now()}`;
  await t.ds.query(`SELECT ${commandNotifySql('$1')}`, [marker]);
  for (const end = Date.now() + 20_000; !signal.take(marker); await sleep(25)) {
    if (Date.now() > end) throw new Error('timed out waiting for a NOTIFY on the LISTEN connection');
  }
}
