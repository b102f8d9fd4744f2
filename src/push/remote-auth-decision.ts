/**
 * The decision of a remote identification (manual 10), read from the database as the panel would take it from
 * the tables the planner keeps on it: the person (by pin, or by card value when pin is 0 or empty) active, not
 * disabled and within their validity dates; one of their access levels holding this door, with a time segment
 * that admits the device's wall-clock time (timezone-allows.ts: weekdays, holidays and their types). A
 * checked-in visitor counts the same way with their visitor levels, within the visit window.
 */
import type { EntityManager } from 'typeorm';
import { cardValue, cardValueSql } from '../card/card-value';
import { runRead } from '../database/read-together';
import type { DeviceRights } from '../sync/sync-commands';
import { holidaysRead, loadRights, loadTimeSegments, personsRead } from '../sync/sync-queries';
import { timezoneAllows } from '../sync/timezone-allows';
import { loadVisitorRights, visitorsRead } from '../sync/visitor-sync';
import { ADDR_TYPE_DOOR, wallClockToInstant, type RemoteAuthRequest, type WallClock } from './protocol';
import type { DeviceSession } from './device-registry.service';

export interface RemoteAuthDecision {
  granted: boolean;
  /** Why, in words (logged, and kept out of the answer). */
  reason: string;
  /** The pin of whoever was identified (a card resolves to its holder's pin); null when nobody was. */
  pin: string | null;
  door: { doorNo: number; lockDelay: number } | null;
}

interface Holder {
  kind: 'person' | 'visitor';
  id: string;
  pin: string;
}

/** The person, else the checked-in visitor, holding this card (compared by value: leading zeros do not count). */
async function holderOfCard(m: EntityManager, cardNo: string): Promise<Holder | null> {
  const value = cardValue(cardNo);
  if (value === '') return null;
  const rows: Array<{ kind: 'person' | 'visitor'; id: string; pin: string }> = await m.query(
    `SELECT 'person' AS kind, p.id, p.pin FROM card c JOIN person p ON p.id = c.person_id WHERE ${cardValueSql('c.card_no')} = $1
     UNION ALL
     SELECT 'visitor', r.id, r.visitor_pin FROM vis_registration r WHERE ${cardValueSql('r.card_no')} = $1 AND r.state = 'in'
     ORDER BY kind LIMIT 1`,
    [value],
  );
  return rows[0] ?? null;
}

const within = (at: Date, start: Date | null, end: Date | null): boolean =>
  (start === null || start.getTime() <= at.getTime()) && (end === null || at.getTime() <= end.getTime());

/** The TimezoneIds under which these rights open this door. */
function timezonesFor(rights: DeviceRights | undefined, doorNo: number): number[] {
  if (!rights) return [];
  return [...rights.entries()].filter(([, doors]) => doors.includes(doorNo)).map(([tz]) => tz);
}

/** True when one of these time segments admits the wall-clock time, holidays applied. */
async function anyTimezoneAllows(m: EntityManager, tzIds: number[], at: WallClock): Promise<boolean> {
  if (tzIds.length === 0) return false;
  const [segments, holidays] = await Promise.all([loadTimeSegments(m, tzIds), runRead(m, holidaysRead())]);
  return segments.some((s) => timezoneAllows(s.schedule, holidays, at));
}

export async function decideRemoteAuth(m: EntityManager, device: DeviceSession, req: RemoteAuthRequest): Promise<RemoteAuthDecision> {
  const e = req.event;
  const refuse = (reason: string, pin: string | null = e.personPin, door: RemoteAuthDecision['door'] = null): RemoteAuthDecision => ({ granted: false, reason, pin, door });
  // addrtype absent: a door, the only event address the manual says panels send today.
  if (req.addrType !== null && req.addrType !== ADDR_TYPE_DOOR) return refuse(`addrtype ${req.addrType} is not a door`);
  if (e.eventAddr === null) return refuse('no eventaddr');
  const [doorRow]: Array<{ door_no: number; lock_delay: number; enabled: boolean }> = await m.query(
    `SELECT door_no, lock_delay, enabled FROM door WHERE device_id = $1 AND door_no = $2`,
    [device.id, e.eventAddr],
  );
  if (!doorRow) return refuse(`door ${e.eventAddr} is not a door of this device`);
  const door = { doorNo: Number(doorRow.door_no), lockDelay: Number(doorRow.lock_delay) };
  // A disabled door is opened by nobody (as remote opening refuses it: door-control.service.ts).
  if (!doorRow.enabled) return refuse(`door ${door.doorNo} is disabled`, e.personPin, door);
  const at = wallClockToInstant(e.wallClock, device.timeZone);

  let holder: Holder | null = null;
  if (e.personPin !== null) {
    const [person] = await runRead(m, personsRead({ pins: [e.personPin] }));
    if (person) holder = { kind: 'person', id: person.id, pin: person.pin };
    else {
      const [visit] = await runRead(m, visitorsRead({ pins: [e.personPin] }));
      if (visit) holder = { kind: 'visitor', id: visit.registrationId, pin: visit.pin };
    }
  } else if (e.cardNo !== null) {
    holder = await holderOfCard(m, e.cardNo);
  }
  if (!holder) return refuse(e.personPin !== null ? `pin ${e.personPin} is nobody's` : e.cardNo !== null ? `card ${e.cardNo} is nobody's` : 'neither pin nor card', e.personPin, door);
  const no = (reason: string) => refuse(reason, holder.pin, door);

  let tzIds: number[];
  if (holder.kind === 'person') {
    const [p]: Array<{ status: string; is_disabled: boolean; acc_start_time: Date | null; acc_end_time: Date | null }> = await m.query(
      `SELECT status, is_disabled, acc_start_time, acc_end_time FROM person WHERE id = $1`,
      [holder.id],
    );
    if (!p || p.status !== 'active') return no(`person ${holder.pin} has left`);
    if (p.is_disabled) return no(`person ${holder.pin} is disabled`);
    const date = (d: Date | string | null) => (d === null ? null : new Date(d));
    if (!within(at, date(p.acc_start_time), date(p.acc_end_time))) return no(`person ${holder.pin} is outside their validity dates`);
    const rights = await loadRights(m, { personIds: [holder.id], deviceId: device.id });
    tzIds = timezonesFor(rights.get(holder.id)?.get(device.id), door.doorNo);
  } else {
    const [v] = await runRead(m, visitorsRead({ registrationIds: [holder.id] }));
    if (!v) return no(`visitor ${holder.pin} is not checked in`);
    if (!within(at, v.startTime, v.endTime)) return no(`visitor ${holder.pin} is outside the visit window`);
    const rights = await loadVisitorRights(m, { registrationIds: [holder.id], deviceId: device.id });
    tzIds = timezonesFor(rights.get(holder.id)?.get(device.id), door.doorNo);
  }
  if (tzIds.length === 0) return no(`${holder.kind} ${holder.pin} has no level with door ${door.doorNo}`);
  if (!(await anyTimezoneAllows(m, tzIds, e.wallClock))) return no(`${holder.kind} ${holder.pin}: no time segment of theirs admits ${e.time} at door ${door.doorNo}`);
  return { granted: true, reason: `${holder.kind} ${holder.pin} admitted at door ${door.doorNo}`, pin: holder.pin, door };
}
