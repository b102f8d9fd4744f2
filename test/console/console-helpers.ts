import { OperatorService } from '../../src/console/operator.service';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import { DeviceStatusService } from '../../src/push/device-status.service';

/** What these helpers need of test/support's TestApp (not imported, so tsc does not pull test/support in). */
export interface ConsoleTestApp {
  baseUrl: string;
  app: { get<T = unknown>(token: unknown): T };
}

export interface ConsoleClient {
  cookie: string;
  csrf: string;
  setCookie: string;
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers; text: string }>;
}

export async function createOperator(t: ConsoleTestApp, name: string, role: 'admin' | 'operator' | 'viewer', password = `${name}-password-1`): Promise<string> {
  await t.app.get<OperatorService>(OperatorService).create(name, role, password);
  return password;
}

/**
 * An operator signed in on first use, once per file (its app started by then): `const operator = lazyOperator(() => t, 'h2doors')`.
 */
export function lazyOperator(app: () => ConsoleTestApp, name: string, role: 'admin' | 'operator' | 'viewer' = 'operator'): () => Promise<ConsoleClient> {
  let op: Promise<ConsoleClient> | undefined;
  return () => (op ??= createOperator(app(), name, role).then((password) => signIn(app(), name, password)));
}

export async function rawCall(t: ConsoleTestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
}

/** Signs in through the console API and returns a client that sends the cookie and the CSRF token. */
export async function signIn(t: ConsoleTestApp, name: string, password: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<ConsoleClient> {
  const r = await rawCall(t, 'POST', '/console/api/session/login', { name, password, ...extra }, headers);
  if (r.body?.code !== 0 || !r.body.data.csrfToken) throw new Error(`sign-in failed: ${r.text}`);
  const setCookie = r.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0];
  const csrf = r.body.data.csrfToken as string;
  return {
    cookie,
    csrf,
    setCookie,
    call: (method, path, body, h = {}) => rawCall(t, method, `/console/api/${path}`, body, { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }), ...h }),
  };
}

/** A device's last contact ten minutes ago, everywhere the gateway keeps it: it counts as offline until it polls. */
export async function lastSeenLongAgo(t: ConsoleTestApp & { ds: { query(sql: string, params?: unknown[]): Promise<unknown> } }, sn: string): Promise<void> {
  const past = Date.now() - 600_000;
  (t.app.get(DeviceStatusService) as unknown as { seen: Map<string, number> }).seen.set(sn, past);
  const session = t.app.get<DeviceRegistryService>(DeviceRegistryService).cached(sn) as { lastSeenAt?: Date | null } | undefined;
  if (session) session.lastSeenAt = new Date(past);
  await t.ds.query(`UPDATE device SET last_seen_at = now() - interval '10 minutes', registered_at = now() - interval '10 minutes' WHERE sn = $1`, [sn]);
}
