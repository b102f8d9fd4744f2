import { HttpStatus, RequestMethod, SetMetadata, type INestApplicationContext } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { controllerHandlers, type ControllerClass } from './controller-handlers';

/**
 * A read is served under GET and POST alike.
 *
 * The REST manual heads every section "Post Request URL", whatever its "Request Mode", so clients POST reads
 * the manual gives as GET (a Python integration POSTs `bioTemplate/getFgListByPin/{pin}` and its v2 form; an
 * integrator's catalogue of the 1.2 manual lists `transaction/list` as GET/POST), and GET reads the manual gives
 * as POST (`getDoorTransactionDetail` in the same catalogue). A read changes nothing, so serving it under the
 * other method can only help; a write keeps its own method, and a DELETE is never reached by a POST this way
 * (the manual's DELETEs have their own POST forms, declared where they are).
 *
 * - every `GET /api/...` route of the manual (not the gateway's own `/api/gateway/...`) gets a `POST` twin at
 *   the same path, unless a POST route is declared there;
 * - a `POST /api/...` route marked `@ReadByPost()` (a read that takes its inputs as a body) gets a `GET` twin,
 *   unless a GET route is declared there.
 *
 * A twin is the same handler under the other method, with the same guards, pipes, parameters and answers
 * (inputs from the query, the body, or both: `CvInput`), HTTP 200, and left out of Swagger (the method the
 * manual gives is the documented one). Twins are added to the controllers' prototypes before the routes are
 * registered (`app.init()`), once per class however many applications a process creates (tests).
 */
const READ_BY_POST = 'cv:readByPost';
const TWIN = Symbol('cv:methodTwin');
const EXCLUDE_FROM_SWAGGER = 'swagger/apiExcludeEndpoint';

/** Marks a POST route that only reads: it is served under GET too. */
export const ReadByPost = (): MethodDecorator => SetMetadata(READ_BY_POST, true);

type Handler = ((...args: unknown[]) => unknown) & { [TWIN]?: true };

/** A route's path with its parameter names blanked: `/a/:pin` and `/a/:code` are one route to the router. */
const shapeOf = (path: string) =>
  path
    .split('/')
    .map((s) => (s.startsWith(':') ? ':' : s))
    .join('/');

/** The manual's REST routes: `/api/...` but the gateway's own extensions (`/api/gateway/...`, the event stream). */
const isManualRoute = (route: string) => route.startsWith('api/') && !route.startsWith('api/gateway/');

/** Adds the method twins of every controller's reads (see the module comment). */
export function addReadMethodTwins(app: INestApplicationContext): void {
  const handlers = controllerHandlers(app);
  // Every route declared, by method, across all controllers (twins made earlier included): a twin never takes
  // a route declared elsewhere.
  const declared = new Set(handlers.flatMap((h) => h.paths.map((p) => `${h.method} ${shapeOf(p)}`)));
  for (const h of handlers) {
    if (withTwins.has(h.cls) || (h.handler as Handler)[TWIN]) continue; // a class is done once per process (tests build many apps)
    const other = h.method === RequestMethod.GET ? RequestMethod.POST : h.method === RequestMethod.POST && Reflect.getMetadata(READ_BY_POST, h.handler) ? RequestMethod.GET : undefined;
    if (other === undefined || h.paths.length === 0 || !h.paths.every(isManualRoute)) continue;
    if (h.paths.some((p) => declared.has(`${other} ${shapeOf(p)}`))) continue; // the other method is its own route there
    defineTwin(h.cls, h.name, other);
  }
  for (const h of handlers) withTwins.add(h.cls);
}

const withTwins = new WeakSet<Function>();

function defineTwin(cls: ControllerClass, name: string, method: RequestMethod): void {
  const proto = cls.prototype;
  const original = proto[name] as Handler;
  const twinName = `${name}$${RequestMethod[method]}`;
  const twin: Handler = function (this: unknown, ...args: unknown[]) {
    return original.apply(this, args);
  };
  twin[TWIN] = true;
  for (const key of Reflect.getOwnMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), twin);
  Reflect.defineMetadata(METHOD_METADATA, method, twin);
  Reflect.defineMetadata(HTTP_CODE_METADATA, HttpStatus.OK, twin);
  Reflect.defineMetadata(EXCLUDE_FROM_SWAGGER, { disable: true }, twin);
  // Parameter decorators (on the class) and the parameter types the pipes validate against (on the prototype)
  // are kept per method name.
  for (const key of Reflect.getOwnMetadataKeys(cls, name)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, cls, name), cls, twinName);
  for (const key of Reflect.getOwnMetadataKeys(proto, name)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, proto, name), proto, twinName);
  Object.defineProperty(proto, twinName, { value: twin, writable: true, configurable: true, enumerable: false });
}
