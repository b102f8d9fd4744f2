import { Logger, RequestMethod, type INestApplicationContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { declaredFields, differingRepeats, formsOf, GLOBAL_SYNONYMS, GLOBAL_WRAPPERS } from './client-forms';
import { controllerHandlers } from './controller-handlers';
import { CvCode, CvError } from './cv-error';
import { sendError } from './exception.filter';
import { pathParamAnswerOf, type PathParamAnswer } from './path-param-answer';

const log = new Logger('RouteForms');

/**
 * Path and query parameters are interchangeable (clients built from CVSecurity's Swagger send either):
 *
 * - `GET /api/person/get?pin=1` reaches `GET /api/person/get/:pin` (query → path): the trailing `:params` of
 *   a route may come from the query string, under their own names or a synonym (client-forms.ts).
 * - `GET /api/v2/person/get/1` reaches `GET /api/v2/person/get?pin=1` (path → query): a route without path
 *   parameters whose input DTO has path forms (`@ClientForms({ path })`, else its first DEFAULT_PATH_KEYS
 *   field) takes them as trailing segments.
 *
 * - `POST /api/person/getQrCode` with the body `{"pin": "1"}` reaches `POST /api/person/getQrCode/:pin` (body →
 *   path): for a method that carries a body, trailing `:params` the query does not give are read from the JSON
 *   body (bare, or wrapped in a Swagger parameter name; under their names or a synonym). The URL cannot wait
 *   for the body, so it is routed with each parameter's `{name}` in its place and the request is marked; once
 *   the body is parsed, `fillPathFromBody` puts the body's values into the route parameters, or answers -400
 *   when the body does not carry them. Only a request the rewrite marked is touched: a client sending a
 *   literal `{pin}` gets what that path means.
 *
 * Done by rewriting the URL before routing (Fastify's `rewriteUrl`), and only for `/api/` URLs that match no
 * route as sent, so every route keeps its own guards, pipes and filters, and no served URL changes meaning.
 * Every controller, including ones added later, is covered: the table is read from Nest's own route metadata.
 */
export interface Route {
  method: string;
  segments: string[];
  /** Fields of the route's input DTO that may come as trailing path segments (routes without `:params`). */
  pathForms: string[];
  /** The handler's answer when its path parameter is left out (@PathParamAnswer), else the generic one. */
  missingAnswer?: PathParamAnswer;
}

const METHODS: Record<number, string[]> = {
  [RequestMethod.GET]: ['GET', 'HEAD'],
  [RequestMethod.POST]: ['POST'],
  [RequestMethod.PUT]: ['PUT'],
  [RequestMethod.DELETE]: ['DELETE'],
  [RequestMethod.PATCH]: ['PATCH'],
  [RequestMethod.ALL]: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
  [RequestMethod.OPTIONS]: ['OPTIONS'],
  [RequestMethod.HEAD]: ['HEAD'],
};

const split = (path: string) => path.split('/').filter((s) => s !== '');
/** A URL's path segments, percent-decoded; undefined for a path that does not decode. */
function pathSegments(url: string): string[] | undefined {
  const q = url.indexOf('?');
  try {
    return split(q < 0 ? url : url.slice(0, q)).map((x) => decodeURIComponent(x));
  } catch {
    return undefined;
  }
}
const isParam = (seg: string) => seg.startsWith(':') || seg === '*';
const paramName = (seg: string) => seg.slice(1).replace(/\?$/, '');

/** Every route of every controller, with the path forms of its input DTO. */
export function routesOf(app: INestApplicationContext): Route[] {
  const routes: Route[] = [];
  for (const { cls, name, handler, method, paths } of controllerHandlers(app)) {
    const types = (Reflect.getMetadata('design:paramtypes', cls.prototype, name) as unknown[] | undefined) ?? [];
    const dto = types.find((t): t is Function => typeof t === 'function' && declaredFields(t).size > 0);
    const pathForms = dto ? formsOf(dto).path : [];
    const missingAnswer = pathParamAnswerOf(handler);
    for (const p of paths) for (const m of METHODS[method] ?? []) routes.push({ method: m, segments: split(p), pathForms, ...(missingAnswer ? { missingAnswer } : {}) });
  }
  return routes;
}

function matches(route: Route, segs: string[]): boolean {
  if (route.segments.at(-1) === '*') return segs.length >= route.segments.length - 1 && route.segments.slice(0, -1).every((s, i) => isParam(s) || s === segs[i]);
  return route.segments.length === segs.length && route.segments.every((s, i) => isParam(s) || s === segs[i]);
}

/** The path's segments match the route's first ones, and the route's others are all `:params` (given elsewhere). */
function reachedWithTrailingParams(route: Route, segs: string[]): boolean {
  return route.segments.slice(0, segs.length).every((s, i) => isParam(s) || s === segs[i]) && route.segments.slice(segs.length).every((s) => s.startsWith(':'));
}

/** Methods whose requests carry a body that may hold a path parameter. */
const BODY_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** A route parameter's value as a client sends it in JSON: a string, or a number for an id. */
const scalar = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** The value of one path parameter in a JSON body: bare or wrapped, under its name or a synonym. */
export function bodyValueOf(body: unknown, param: string): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const names = queryNamesOf(param);
  const record = body as Record<string, unknown>;
  const places = [record, ...GLOBAL_WRAPPERS.map((w) => record[w]).filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))];
  for (const place of places) {
    for (const n of names) {
      const v = scalar(place[n]);
      if (v !== undefined) return v.trim();
    }
  }
  // A name in another case, once no exact one is there (client-forms.ts, any case).
  const lower = new Set(names.map((n) => n.toLowerCase()));
  for (const place of places) {
    for (const [k, value] of Object.entries(place)) {
      const v = lower.has(k.toLowerCase()) ? scalar(value) : undefined;
      if (v !== undefined) return v.trim();
    }
  }
  return undefined;
}

/**
 * The value a query gives a path parameter under one of its names: the last of a repeated key; a name in
 * another case (`DeviceSn`, `PIN`) when no exact one is there, as every other input is read (client-forms.ts).
 */
function queryValueOf(query: URLSearchParams, names: string[]): string | undefined {
  const usable = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);
  for (const n of names) {
    const v = query.getAll(n).filter((x) => usable(x) !== undefined).at(-1);
    if (v !== undefined) return v;
  }
  const lower = new Set(names.map((n) => n.toLowerCase()));
  let found: string | undefined;
  for (const [k, v] of query) if (lower.has(k.toLowerCase()) && usable(v) !== undefined) found = v;
  return found;
}

/** The names a path parameter may come under in the query: its own first, then its synonyms. */
function queryNamesOf(param: string): string[] {
  const group = GLOBAL_SYNONYMS.find((g) => g.includes(param));
  return group ? [param, ...group.filter((n) => n !== param)] : [param];
}

/**
 * The answer to a request that leaves a route's path parameter out everywhere (`GET /api/transaction/person/`, no
 * pin in the query either): a pin is the manual's -20 "Pin number cannot be empty", as every endpoint that reads
 * its pin from the query or the body answers; a device SN -48 "Device serial number can't be null" likewise; any
 * other parameter -400 naming it. Never -404: the endpoint exists.
 */
export function missingPathParam(name: string, answer?: PathParamAnswer): CvError {
  if (answer) return new CvError(answer.code, answer.message);
  const names = queryNamesOf(name);
  if (names.includes('pin')) return new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
  // `GET /api/transaction/device/` (2.18.1/2.18.2) as the v3 form and device/getAcc answer a missing SN: -48.
  if (names.includes('deviceSn')) return new CvError(CvCode.DeviceSnNull, "Device serial number can't be null");
  return new CvError(CvCode.InvalidParameter, `${name} is required: in the path, the query or the JSON body`);
}

/** The path parameter a URL leaves out of a route of its method on the server that received it, and that route's answer (see missingPathParam). */
export function missingPathParamAt(server: object, method: string, url: string): MissingParam | undefined {
  return formsOfServer.get(server)?.missingParamAt(method, url);
}

/** A path parameter a request left out, and the answer its route declares for that (if any). */
export interface MissingParam {
  name: string;
  answer?: PathParamAnswer;
}

/** Each HTTP server's route forms, for the error answer of a request no route took (`methodsServedAt`). */
const formsOfServer = new WeakMap<object, RouteForms>();

/** The methods served at a URL's path on the server that received it (empty when none, or unknown). */
export function methodsServedAt(server: object, url: string): string[] {
  return formsOfServer.get(server)?.methodsAt(url) ?? [];
}

export class RouteForms {
  private app?: INestApplicationContext;
  /** Requests routed with path parameters still to be read from their body (body → path). */
  private readonly pending = new WeakMap<IncomingMessage, { names: string[]; answer?: PathParamAnswer }>();
  /** Requests routed with a path parameter the query repeats with differing values: refused in the preHandler. */
  private readonly refused = new WeakMap<IncomingMessage, CvError>();

  /** `routes`: a fixed table (tests); otherwise read from the attached application. */
  constructor(private routes?: Route[]) {}

  /** Called once the Nest application exists; the route table is read on the first request. */
  attach(app: INestApplicationContext, server?: object): void {
    this.app = app;
    if (server) formsOfServer.set(server, this);
  }

  /** Fastify's `rewriteUrl`: the URL to route, the one sent unless a client form of another route applies. */
  readonly rewriteUrl = (req: IncomingMessage): string => {
    const url = req.url ?? '/';
    if (!url.startsWith('/api/') || !this.app) return url;
    try {
      const routed = this.resolve(req.method ?? 'GET', url);
      if (routed.fromBody) this.pending.set(req, { names: routed.fromBody, answer: routed.answer });
      if (routed.refused) this.refused.set(req, routed.refused);
      return routed.url;
    } catch {
      return url; // never let a rewrite attempt turn into a failure of its own: route the URL as sent
    }
  };

  /**
   * Fastify `preHandler` hook (the body is parsed by then): the path parameters of a body-form request taken
   * from its body, or the route's answer for a missing one (missingPathParam) when the body lacks it.
   */
  readonly fillPathFromBody = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const refused = this.refused.get(req.raw);
    if (refused) {
      this.refused.delete(req.raw);
      return sendError(refused, req, reply, log);
    }
    const pending = this.pending.get(req.raw);
    if (!pending) return done();
    this.pending.delete(req.raw);
    const params = req.params as Record<string, string>;
    for (const name of pending.names) {
      const value = bodyValueOf(req.body, name);
      if (value === undefined) return sendError(missingPathParam(name, pending.answer), req, reply, log);
      params[name] = value;
    }
    done();
  };

  /**
   * The methods served at a URL's path, in any form `resolve` routes (path parameters as trailing segments or
   * from the query), catch-alls aside: a request that found no route by its method is told which to use.
   */
  methodsAt(url: string): string[] {
    this.routes ??= this.app ? routesOf(this.app) : [];
    const segs = pathSegments(url);
    if (!segs) return [];
    // The path → query form too (`door/remoteOpenById/{doorId}` for `door/remoteOpenById?doorId=`): a GET there
    // is a wrong method, not an unknown path.
    const pathForm = (r: Route) => {
      const extra = segs.length - r.segments.length;
      return r.pathForms.length > 0 && !r.segments.some(isParam) && extra >= 1 && extra <= r.pathForms.length && r.segments.every((s, i) => s === segs[i]);
    };
    const served = this.routes.filter((r) => r.segments.at(-1) !== '*' && ((r.segments.length >= segs.length && reachedWithTrailingParams(r, segs)) || pathForm(r)));
    return [...new Set(served.map((r) => r.method))];
  }

  /**
   * The first path parameter a URL leaves out of a route of its method that it reaches but for trailing
   * `:params` (resolve found them neither in the query nor, for a method without a body, anywhere else).
   */
  missingParamAt(method: string, url: string): MissingParam | undefined {
    this.routes ??= this.app ? routesOf(this.app) : [];
    const segs = pathSegments(url);
    if (!segs) return undefined;
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    for (const r of this.routes) {
      if (r.method !== method || r.segments.length <= segs.length || r.segments.at(-1) === '*' || !reachedWithTrailingParams(r, segs)) continue;
      const missing = r.segments.slice(segs.length).map(paramName).find((name) => queryValueOf(query, queryNamesOf(name)) === undefined);
      if (missing !== undefined) return { name: missing, answer: r.missingAnswer };
    }
    return undefined;
  }

  /** The URL to route (see the class comment). */
  rewrite(method: string, url: string): string {
    return this.resolve(method, url).url;
  }

  /** The URL to route, and the path parameters it leaves to the body. */
  resolve(method: string, url: string): { url: string; fromBody?: string[]; answer?: PathParamAnswer; refused?: CvError } {
    const routed = (u: string) => ({ url: u });
    this.routes ??= this.app ? routesOf(this.app) : [];
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q + 1);
    let segs: string[];
    try {
      segs = split(rawPath).map((s) => decodeURIComponent(s));
    } catch {
      return routed(url);
    }
    const candidates = this.routes.filter((r) => r.method === method);
    // A catch-all (the unsupported modules' `prefix/*`) yields to a served route's own form.
    if (candidates.some((r) => r.segments.at(-1) !== '*' && matches(r, segs))) return routed(url);
    const query = new URLSearchParams(search);

    // query → path: the route's trailing parameters, taken from the query; body → path: the ones the query
    // lacks, from the body, for a method that carries one.
    let fromBody: { url: string; fromBody: string[]; answer?: PathParamAnswer } | undefined;
    for (const r of candidates) {
      if (r.segments.length <= segs.length || r.segments.at(-1) === '*') continue;
      if (!reachedWithTrailingParams(r, segs)) continue;
      const tail = r.segments.slice(segs.length);
      const withValues = (vals: string[]) => {
        const path = '/' + [...segs, ...vals].map(encodeURIComponent).join('/');
        return search ? `${path}?${search}` : path;
      };
      // A key repeated in the query with values that differ is refused, as for every other single-valued input
      // (client-forms.ts oneValueOf): the route is taken, and the preHandler answers the refusal.
      const refused = tail.flatMap((s) => queryNamesOf(paramName(s))).map((name) => differingRepeats(name, query.getAll(name))).find((e) => e !== undefined);
      if (refused) return { url: withValues(tail.map((s) => `{${paramName(s)}}`)), refused };
      const values = tail.map((s) => queryValueOf(query, queryNamesOf(paramName(s))));
      if (values.every((v) => v !== undefined)) return routed(withValues(values as string[]));
      if (fromBody || !BODY_METHODS.has(method)) continue;
      const missing = tail.filter((_, i) => values[i] === undefined).map(paramName);
      fromBody = { url: withValues(values.map((v, i) => v ?? `{${paramName(tail[i])}}`)), fromBody: missing, answer: r.missingAnswer };
    }

    // path → query: trailing segments of a route that has none, as the query parameters its DTO names.
    for (const r of candidates) {
      if (r.pathForms.length === 0 || r.segments.some(isParam)) continue;
      const extra = segs.length - r.segments.length;
      if (extra < 1 || extra > r.pathForms.length || !r.segments.every((s, i) => s === segs[i])) continue;
      segs.slice(r.segments.length).forEach((v, i) => query.set(r.pathForms[i], v));
      return routed(`/${r.segments.map(encodeURIComponent).join('/')}?${query.toString()}`);
    }
    return fromBody ?? routed(url);
  }
}
