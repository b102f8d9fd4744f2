/** The console API: JSON envelopes {code, message, data}; the session's CSRF token on every change. */
let csrfToken = '';
let onSignedOut: (message: string) => void = () => {};

export function setCsrf(token: string) {
  csrfToken = token;
}
/** Called with the gateway's message when a call finds the session ended (idle timeout, sign-out elsewhere, account changed). */
export function whenSignedOut(fn: (message: string) => void) {
  onSignedOut = fn;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** The HTTP status (401: no live session; 403 with the same code: a missing CSRF token or role). */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Errors in plain words, with the manual's (or the gateway's) code to look up. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (code ${e.code})`;
  // fetch fails with a TypeError when the request never got an answer (network down, gateway stopped).
  if (e instanceof TypeError) return `The gateway could not be reached: ${e.message}`;
  // The console's own words (a device's refusal or missing Return, a file that could not be read): as they are.
  return e instanceof Error ? e.message : String(e);
}

/**
 * When the operator last pressed a key or clicked (or touched) the page; its loading counts as one. A read sent long
 * after that is the page refreshing itself (the dashboard, the Devices and Doors pages every 10 s): it is marked so, and
 * the gateway does not count it as activity, or a console left open on one of those pages would never reach the idle
 * timeout (CONSOLE_SESSION_IDLE_MINUTES).
 */
let lastInput = Date.now();
for (const type of ['keydown', 'pointerdown']) addEventListener(type, () => (lastInput = Date.now()), { capture: true, passive: true });
/** A read this long after the operator's last input is the page's own refresh. */
const BACKGROUND_AFTER_MS = 5_000;

export function csrfHeaders(): Record<string, string> {
  return { 'x-csrf-token': csrfToken };
}

export async function api<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = method === 'GET' ? {} : csrfHeaders();
  if (method === 'GET' && Date.now() - lastInput > BACKGROUND_AFTER_MS) headers['x-console-background'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/console/api/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  let envelope: { code: number; message: string; data: T };
  try {
    envelope = await res.json();
  } catch {
    throw new ApiError(-1, `The gateway answered HTTP ${res.status} without a readable body`);
  }
  if (envelope.code !== 0) {
    if (res.status === 401 && !path.startsWith('session/login')) onSignedOut(envelope.message);
    throw new ApiError(envelope.code, envelope.message, res.status);
  }
  return envelope.data;
}

export function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * `<input type="datetime-local">` gives 2026-11-22T08:30; the gateway reads yyyy-MM-dd HH:mm:ss. The end of a
 * filter's window (`end`) takes the whole minute it names: an operator asking for events up to 10:15 means the ones
 * at 10:15:40 too (the gateway takes a time's whole second, so 10:15:59 ends the window at 10:16:00).
 */
export function fromLocalInput(v: string, end = false): string | undefined {
  if (!v) return undefined;
  const [d, t] = v.split('T');
  return `${d} ${t.length === 5 ? `${t}:${end ? '59' : '00'}` : t}`;
}
/**
 * The input's value for a stored time, its seconds kept: a validity ending at 23:59:59 (as CVSecurity's clients set
 * it) cut to the minute was saved back as 23:59:00 by a save that changed something else. The input takes seconds
 * only with `step={1}` (else 23:59:59 is a step mismatch and the form does not submit).
 */
export function toLocalInput(v: string | null | undefined): string {
  if (!v) return '';
  const t = v.slice(0, 19).replace(' ', 'T');
  return t.endsWith(':00') ? t.slice(0, 16) : t;
}

/**
 * Downloads a console CSV export: reads it as it streams, counting rows against X-Total-Count for the
 * progress bar, then saves it under `fileName`. Returns the number of rows the file holds (the total announced
 * at the start is for the progress bar only).
 */
export async function exportCsv(path: string, fileName: string, params: Record<string, unknown>, onProgress: (done: number, total: number) => void): Promise<number> {
  const res = await fetch(`/console/api/${path}${query(params)}`, { credentials: 'same-origin' });
  if (!res.ok || !res.headers.get('content-type')?.startsWith('text/csv')) {
    const env = await res.json().catch(() => ({ code: -1, message: `HTTP ${res.status}` }));
    throw new ApiError(env.code, env.message);
  }
  const total = Number(res.headers.get('x-total-count') ?? 0);
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let lines = 0;
  for (;;) {
    // The gateway broke the download off (a batch failed, the gateway stopped): the rows so far are not the list, so
    // nothing is saved and the page says so, rather than "Exported …" for a file missing the rest.
    const rows = Math.max(0, lines - 1);
    const { done, value } = await reader.read().catch(() => {
      throw new Error(`The export of ${fileName} broke off after ${rows.toLocaleString()} of ${total.toLocaleString()} rows; nothing was saved: try again`);
    });
    if (done) break;
    chunks.push(value);
    for (const b of value) if (b === 10) lines++;
    onProgress(Math.max(0, lines - 1), total);
  }
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return Math.max(0, lines - 1);
}

function pad(n: number) {
  return String(n).padStart(2, '0');
}
/**
 * A `datetime-local` value for an instant, as a wall clock in the server's zone (the site's): the API reads visit and leave times in its
 * TIME_ZONE, so a default taken from the browser's own zone would shift the visit by the difference.
 */
export function localInput(d: Date, timeZone?: string) {
  if (timeZone) {
    try {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .formatToParts(d)
          .map((p) => [p.type, p.value]),
      );
      return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
    } catch {
      // An unknown zone name: the browser's clock below.
    }
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
