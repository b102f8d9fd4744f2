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
import { read, runRead, type Read } from '../database/read-together';

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

export const VISITOR_LEVELS: LevelMembers = {
  from: `vis_registration_level rl JOIN vis_registration r ON r.id = rl.registration_id AND r.state = 'in'`,
  owner: 'rl.registration_id',
  level: 'rl.level_id',
  pin: 'r.visitor_pin',
};

export function loadVisitorRights(m: EntityManager, where: { registrationIds?: string[]; deviceId?: string; deviceIds?: string[] }): Promise<VisitorRights> {
  return loadLevelRights(m, VISITOR_LEVELS, { ownerIds: where.registrationIds, deviceId: where.deviceId, deviceIds: where.deviceIds });
}

export async function loadVisitors(m: EntityManager, registrationIds: string[]): Promise<SyncVisitor[]> {
  if (registrationIds.length === 0) return [];
  return runRead(m, visitorsRead({ registrationIds }));
}

/** Current visits by registration id or visitor pin, in pin order, as a read (read-together.ts). */
export function visitorsRead(where: { registrationIds: string[] } | { pins: readonly string[] }): Read<SyncVisitor[]> {
  const byPin = 'pins' in where;
  return read(
    `SELECT id, visitor_pin, visitor_name, card_no, start_time, end_time FROM vis_registration
      WHERE ${byPin ? 'visitor_pin IN (SELECT unnest($1::text[]))' : 'id IN (SELECT unnest($1::char(32)[]))'} AND state = 'in' ORDER BY visitor_pin`,
    [byPin ? where.pins : where.registrationIds],
    (rows: Array<{ id: string; visitor_pin: string; visitor_name: string; card_no: string | null; start_time: Date | string; end_time: Date | string }>) =>
      rows.map((r) => ({ registrationId: r.id, pin: r.visitor_pin, name: r.visitor_name, cardNo: r.card_no, startTime: new Date(r.start_time), endTime: new Date(r.end_time) })),
  );
}

/** The visitor as the planner's person shape: card on the user record (or mulcarduser), validity = the visit window. */
export function asSyncPerson(v: SyncVisitor): SyncPerson {
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
