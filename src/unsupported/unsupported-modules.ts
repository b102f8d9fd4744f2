/**
 * The manual's modules this gateway does not serve (it replaces the access-control part of CVSecurity):
 * elevator and entrance control (passage). Every path under
 * these prefixes answers one clear error instead of a 404, so an integrator sees "not supported" rather
 * than "wrong URL". A prefix ending in "/" covers everything below it; any other entry is one exact path
 * (used where the module shares a folder with a served one).
 */
export interface UnsupportedModule {
  /** The manual's module name, as cvsecurity-api.json spells it. */
  module: string;
  /** The feature the module belongs to, for the error message. */
  what: string;
  prefixes: string[];
}

export const UNSUPPORTED_MODULES: readonly UnsupportedModule[] = [
  { module: 'eleLevel', what: 'elevator control', prefixes: ['/api/eleLevel/', '/api/v2/eleLevel/'] },
  { module: 'eleDevice', what: 'elevator control', prefixes: ['/api/eleDevice/', '/api/v2/eleDevice/'] },
  { module: 'floor', what: 'elevator control', prefixes: ['/api/floor/', '/api/v2/floor/'] },
  { module: 'eleTransaction', what: 'elevator control', prefixes: ['/api/eleTransaction/', '/api/v2/eleTransaction/'] },
  // "psgdDvice" is the typo of the 2.30.1 title; answered the same way.
  { module: 'psgDevice', what: 'entrance control', prefixes: ['/api/psgDevice/', '/api/v2/psgDevice/', '/api/psgdDvice/'] },
  { module: 'psgGate', what: 'entrance control', prefixes: ['/api/psgGate/', '/api/v2/psgGate/'] },
  { module: 'psgLevel', what: 'entrance control', prefixes: ['/api/psgLevel/', '/api/v2/psgLevel/'] },
  { module: 'psgReader', what: 'entrance control', prefixes: ['/api/psgReader/', '/api/v2/psgReader/'] },
  { module: 'psgTransaction', what: 'entrance control', prefixes: ['/api/psgTransaction/', '/api/v2/psgTransaction/'] },
];

/** The route paths (find-my-way syntax, without the leading slash Nest adds) that cover the prefixes. */
export function unsupportedRoutePaths(): string[] {
  return UNSUPPORTED_MODULES.flatMap((m) => m.prefixes.map((p) => (p.endsWith('/') ? `${p.slice(1)}*` : p.slice(1))));
}

/** The unsupported module a request path belongs to, if any. */
export function unsupportedModuleOf(path: string): UnsupportedModule | undefined {
  return UNSUPPORTED_MODULES.find((m) => m.prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p || path === `${p}/`)));
}
