/**
 * Some firmware doubles the device prefix when its server address is entered with a path (a SenseFace 3 guide
 * reports `/iclock/iclock/cdata`): the request is the protocol's own (`/iclock/cdata`). Without this the
 * catch-all `/iclock/*` answered such an upload `OK` and stored nothing, so the device dropped its events.
 * Repeated `/iclock` segments (and doubled slashes between them) at the start of the path become one.
 */
const DOUBLED = /^\/+iclock(?:\/+iclock)+(?=\/|\?|$)/;

export function collapseDoubledIclock(url: string): string {
  if (url.length < 14 || !DOUBLED.test(url)) return url;
  return url.replace(DOUBLED, '/iclock');
}
