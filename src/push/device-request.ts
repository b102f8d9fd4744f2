import { formatHttpDate, parseQuery, type KvMap } from './protocol';

/**
 * Per-request facts of the device side, computed once: the parsed query string (read by the guard, then
 * by the handler) and whether the request was an idle poll (the access log counts those instead of
 * logging them). Kept on the request object itself under symbols: a WeakMap keyed by every request would
 * make the garbage collector trace thousands of ephemerons per second.
 */
const QUERY = Symbol('deviceQuery');
const IDLE_POLL = Symbol('idlePoll');
type DeviceRequest = { url: string; [QUERY]?: KvMap; [IDLE_POLL]?: true };

/** The raw query string of a request (after `?`), '' without one. */
export function rawQueryOf(req: { url: string }): string {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

/** The request's query, parsed on first use. */
export function deviceQuery(req: { url: string }): KvMap {
  const r = req as DeviceRequest;
  return (r[QUERY] ??= parseQuery(rawQueryOf(req)));
}

/** Gives the request a query parsed already (the fast path parses an upload's to route it), so it is not parsed twice. */
export function setDeviceQuery(req: { url: string }, query: KvMap): void {
  (req as DeviceRequest)[QUERY] = query;
}

export function markIdlePoll(req: { url: string }): void {
  (req as DeviceRequest)[IDLE_POLL] = true;
}

export function isIdlePoll(req: { url: string }): boolean {
  return (req as DeviceRequest)[IDLE_POLL] === true;
}

let dateSecond = -1;
let dateText = '';

/** The `Date` header value for now: formatted once per second, not per reply. */
export function httpDateNow(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = formatHttpDate(new Date(second * 1000));
  }
  return dateText;
}
