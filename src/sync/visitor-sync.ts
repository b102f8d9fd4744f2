/**
 * Visitors on devices: a checked-in visitor is a temporary user on the devices of the doors
 * of their visitor levels, valid for the visit window only (user StartTime/EndTime, and userauthorize
 * StartTime/EndTime where the device supports it, AccSupportFunList 62). Commands come from the codec's
 * typed builders; the user record is the planner's own (`userRecordFor`).
 */
import type { EntityManager } from 'typeorm';
import { dataDelete, dataUpdateMulCardUser, dataUpdateUser, dataUpdateUserAuthorize, deleteUser, encodeZkSeconds, instantToWallClock, type UserAuthorizeRecord } from '../push/protocol';
import type { SyncDevice } from './device-dialect';
import { chunkBuild, userRecordFor, type DeviceRights, type SyncPerson } from './sync-commands';
import { loadLevelRights, type LevelMembers, type RightsIndex } from './sync-queries';

export interface SyncVisitor {
  registrationId: string;
  pin: string;
  name: string;
  cardNo: string | null;
  startTime: Date;
  endTime: Date;
}

/** registrationId → deviceId → TimezoneId → door numbers, for checked-in visits on admitted devices. */
export type VisitorRights = RightsIndex;

const VISITOR_LEVELS: LevelMembers = {
  from: `vis_registration_level rl JOIN vis_registration r ON r.id = rl.registration_id AND r.state = 'in'`,
  owner: 'rl.registration_id',
  level: 'rl.level_id',
};

export function loadVisitorRights(m: EntityManager, where: { registrationIds?: string[]; deviceId?: string }): Promise<VisitorRights> {
  return loadLevelRights(m, VISITOR_LEVELS, { ownerIds: where.registrationIds, deviceId: where.deviceId });
}

export async function loadVisitors(m: EntityManager, registrationIds: string[]): Promise<SyncVisitor[]> {
  if (registrationIds.length === 0) return [];
  const rows: Array<{ id: string; visitor_pin: string; visitor_name: string; card_no: string | null; start_time: Date; end_time: Date }> = await m.query(
    `SELECT id, visitor_pin, visitor_name, card_no, start_time, end_time FROM vis_registration WHERE id = ANY($1) AND state = 'in' ORDER BY visitor_pin`,
    [registrationIds],
  );
  return rows.map((r) => ({ registrationId: r.id, pin: r.visitor_pin, name: r.visitor_name, cardNo: r.card_no, startTime: new Date(r.start_time), endTime: new Date(r.end_time) }));
}

/** User, then rights with the visit window (manual 8.5 wants the user first); mulcarduser devices get the card there. */
export function visitorCommands(device: SyncDevice, items: ReadonlyArray<{ visitor: SyncVisitor; rights: DeviceRights }>): string[] {
  const usable = items.filter((i) => i.rights.size > 0 && (device.dialect.pin === 'string' || /^\d+$/.test(i.visitor.pin)));
  if (usable.length === 0) return [];
  const out = chunkBuild(usable.map((i) => userRecordFor(device, asSyncPerson(i.visitor))), dataUpdateUser);
  const seconds = (d: Date) => encodeZkSeconds(instantToWallClock(d, device.timeZone));
  const rights: UserAuthorizeRecord[] = usable.flatMap(({ visitor, rights: r }) =>
    [...r.entries()]
      .sort(([a], [b]) => a - b)
      .map(([tz, doors]) => ({
        pin: visitor.pin,
        authorizeTimezoneId: tz,
        doors: [...doors].sort((a, b) => a - b),
        ...(device.dialect.authorizeValidity ? { startTime: seconds(visitor.startTime), endTime: seconds(visitor.endTime) } : {}),
      })),
  );
  out.push(...chunkBuild(rights, dataUpdateUserAuthorize));
  if (device.dialect.cards === 'mulcarduser') {
    const cards = usable
      .filter((i) => i.visitor.cardNo && /^\d+$/.test(i.visitor.cardNo))
      .map((i) => ({ pin: i.visitor.pin, cardNo: BigInt(i.visitor.cardNo!).toString(16).toUpperCase(), cardType: 0 as const }));
    if (cards.length) out.push(...chunkBuild(cards, dataUpdateMulCardUser));
  }
  return out;
}

/** Removing a visitor: rights, then the user (and the card table where the device keeps cards apart). */
export function visitorRemovalCommands(device: SyncDevice, pin: string): string[] {
  return [
    dataDelete('userauthorize', [['Pin', pin]]),
    deleteUser(pin),
    ...(device.dialect.cards === 'mulcarduser' ? [dataDelete('mulcarduser', [['Pin', pin]])] : []),
  ];
}

/** For the planner's full sync of one device: every checked-in visitor with rights there. */
export async function visitorCommandsForDevice(m: EntityManager, device: SyncDevice): Promise<string[]> {
  const rights = await loadVisitorRights(m, { deviceId: device.id });
  const visitors = await loadVisitors(m, [...rights.keys()]);
  const items = visitors.map((v) => ({ visitor: v, rights: rights.get(v.registrationId)?.get(device.id) ?? new Map() }));
  if (items.length > 0) {
    await m.query(
      `INSERT INTO vis_registration_device (registration_id, device_id) SELECT unnest($1::char(32)[]), $2 ON CONFLICT DO NOTHING`,
      [items.map((i) => i.visitor.registrationId), device.id],
    );
  }
  return visitorCommands(device, items);
}

/** The visitor as the planner's person shape: card on the user record (or mulcarduser), validity = the visit window. */
function asSyncPerson(v: SyncVisitor): SyncPerson {
  return {
    id: v.registrationId,
    pin: v.pin,
    name: v.name,
    lastName: null,
    cardNo: v.cardNo,
    password: null,
    isDisabled: false,
    accStartTime: v.startTime,
    accEndTime: v.endTime,
    photo: null,
    cards: v.cardNo ? [{ cardNo: v.cardNo, cardType: 0 }] : [],
  };
}
