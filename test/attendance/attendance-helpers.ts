import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AppConfig } from '../../src/config/config';
import { defaultPushSettings } from '../../src/push/push-settings';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { newId } from '../../src/common/ids';
import { settingsOf } from '../push/push-helpers';
import { AttendanceTerminal, type AttendanceTerminalOptions } from '../simulator/attendance-terminal';
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
