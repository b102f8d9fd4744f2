import type { FastifyRequest } from 'fastify';
import { formatHttpDate, parseQuery, type KvMap } from './protocol';

/**
 * Per-request facts of the device side, computed once: the parsed query string (read by the guard, then
 * by the handler) and whether the request was an idle poll (the access log counts those instead of
 * logging them). Weak maps: nothing outlives its request.
 */
const queries = new WeakMap<FastifyRequest, KvMap>();
const idlePolls = new WeakSet<FastifyRequest>();

/** The raw query string of a request (after `?`), '' without one. */
export function rawQueryOf(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

/** The request's query, parsed on first use. */
export function deviceQuery(req: FastifyRequest): KvMap {
  let q = queries.get(req);
  if (!q) queries.set(req, (q = parseQuery(rawQueryOf(req))));
  return q;
}

export function markIdlePoll(req: FastifyRequest): void {
  idlePolls.add(req);
}

export function isIdlePoll(req: FastifyRequest): boolean {
  return idlePolls.has(req);
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
