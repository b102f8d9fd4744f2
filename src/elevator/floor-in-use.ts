/**
 * `floor.source` of a floor its controller stopped reporting (a registration with fewer floor outputs: an expansion
 * board taken out). It is no floor while so (not listed, opened, granted, nor put in a level), but it keeps its id,
 * name and levels, so the controller reporting it again gets it back as it was, as doors above a smaller LockCount
 * come back (device-registry.service.ts dropDoorsBeyond). A leaf module: the sync queries read it at load time.
 */
export const DROPPED_FLOOR = 'dropped';

/** SQL: floor `alias` is one of its controller's floors now (not set aside by a smaller reported count). */
export const floorInUseSql = (alias = 'f'): string => `${alias}.source <> '${DROPPED_FLOOR}'`;
