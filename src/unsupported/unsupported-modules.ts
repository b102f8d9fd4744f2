/**
 * The manual's modules this gateway does not serve (it replaces the access-control part of CVSecurity):
 * attendance and FaceKiosk (elevator and entrance control are served: src/elevator, src/passage; parking,
 * media and health: src/park, src/media, src/hep). Every path under
 * these prefixes answers one clear error instead of a 404, so an integrator sees "not supported" rather
 * than "wrong URL". A prefix ending in "/" covers everything below it; any other entry is one exact path
 * (used where the module shares a folder with a served one, like /api/device/getAtt).
 */
export interface UnsupportedModule {
  /** The manual's module name, as cvsecurity-api.json spells it. */
  module: string;
  /** The feature the module belongs to, for the error message. */
  what: string;
  prefixes: string[];
}

export const UNSUPPORTED_MODULES: readonly UnsupportedModule[] = [
  // 2.7 (areas, /api/attAreaPerson/area/...) is served by more specific routes; the person parts (2.8) are not.
  { module: 'attAreaPerson', what: 'attendance', prefixes: ['/api/attAreaPerson/'] },
  { module: 'attTransaction', what: 'attendance', prefixes: ['/api/transaction/listAttTransaction'] },
  { module: 'attDevice', what: 'attendance', prefixes: ['/api/device/getAtt'] },
  // FaceKiosk's person edit lives in the attPerson folder; listed first, the first match names the module.
  { module: 'faceKiosk', what: 'FaceKiosk', prefixes: ['/api/insAreaPerson/', '/api/device/attAdDeviceList', '/api/attPerson/editInsPerson'] },
  { module: 'attApply', what: 'attendance', prefixes: ['/api/attApply/'] },
  { module: 'attPerson', what: 'attendance', prefixes: ['/api/attPerson/'] },
];

/** The route paths (find-my-way syntax, without the leading slash Nest adds) that cover the prefixes. */
export function unsupportedRoutePaths(): string[] {
  return UNSUPPORTED_MODULES.flatMap((m) => m.prefixes.map((p) => (p.endsWith('/') ? `${p.slice(1)}*` : p.slice(1))));
}

/** The unsupported module a request path belongs to, if any. */
export function unsupportedModuleOf(path: string): UnsupportedModule | undefined {
  return UNSUPPORTED_MODULES.find((m) => m.prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p || path === `${p}/`)));
}
