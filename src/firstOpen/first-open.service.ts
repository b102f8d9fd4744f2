import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { newId } from '../common/ids';
import { writeTransaction } from '../common/write-transaction';
import { SyncPlannerService } from '../sync/sync-planner.service';

/** A First-Person Normally Open rule as listed: its door (and panel), time segment and persons. */
export interface FirstOpenRule {
  id: string;
  doorId: string;
  doorName: string;
  doorNo: number;
  deviceSn: string;
  timeSegmentId: string;
  timeSegName: string;
  persons: Array<{ pin: string; name: string }>;
}

/** A rule as written: the door, the time segment and the persons by pin (each given replaces what the rule had). */
export interface FirstOpenEdit {
  doorId?: string;
  timeSegmentId?: string;
  pins?: readonly string[];
}

/** What a write answers: the rule, and how many commands its panel (or panels, a rule moved) was queued. */
export interface FirstOpenSaved {
  id: string;
  queued: number;
}

type DoorRef = { deviceId: string; doorNo: number };

/**
 * CVSecurity's Access > Advanced Functions > First-Person Normally Open. The rules are stored (acc_first_open and its
 * persons) and their doors' `firstcard` items are planned in the same transaction by the one planner, which sends the
 * panel its `firstcard` rows and Door<n>FirstCardOpenDoor=1. A person without rights on the door may be in a rule, as
 * CVSecurity allows: the panel lets only those with rights verify there anyway.
 */
@Injectable()
export class FirstOpenService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
  ) {}

  /** Every rule, by door name and segment name, optionally those of one door. */
  async list(doorId?: string): Promise<FirstOpenRule[]> {
    const rows: Array<{ id: string; door_id: string; door_name: string; door_no: number; sn: string; ts_id: string; ts_name: string; persons: Array<{ pin: string; name: string }> | null }> =
      await this.ds.query(
        `SELECT f.id, f.door_id, d.name AS door_name, d.door_no, v.sn, ts.id AS ts_id, ts.name AS ts_name,
                (SELECT json_agg(json_build_object('pin', p.pin, 'name', trim(concat(p.name, ' ', coalesce(p.last_name, '')))) ORDER BY p.pin)
                   FROM acc_first_open_person fp JOIN person p ON p.id = fp.person_id WHERE fp.first_open_id = f.id) AS persons
           FROM acc_first_open f JOIN door d ON d.id = f.door_id JOIN device v ON v.id = d.device_id JOIN time_segment ts ON ts.id = f.time_segment_id
          WHERE ($1::char(32) IS NULL OR f.door_id = $1) ORDER BY d.name, ts.name`,
        [doorId ?? null],
      );
    return rows.map((r) => ({
      id: r.id,
      doorId: r.door_id,
      doorName: r.door_name,
      doorNo: Number(r.door_no),
      deviceSn: r.sn,
      timeSegmentId: r.ts_id,
      timeSegName: r.ts_name,
      persons: r.persons ?? [],
    }));
  }

  /** A rule added: refused (-409) where the door already has one in that segment (edit that one instead). */
  add(edit: Required<Pick<FirstOpenEdit, 'doorId' | 'timeSegmentId'>> & FirstOpenEdit): Promise<FirstOpenSaved> {
    return writeTransaction(this.ds, async (m) => {
      const door = await requireDoor(m, edit.doorId);
      await requireSegment(m, edit.timeSegmentId);
      await requireFree(m, edit.doorId, edit.timeSegmentId, null);
      const id = newId();
      await m.query(`INSERT INTO acc_first_open (id, door_id, time_segment_id) VALUES ($1, $2, $3)`, [id, edit.doorId, edit.timeSegmentId]);
      await writePersons(m, id, edit.pins ?? []);
      return { id, queued: await this.planner.syncFirstCards(m, [door]) };
    });
  }

  /** A rule edited: its door, segment or persons, each kept when not given. */
  update(id: string, edit: FirstOpenEdit): Promise<FirstOpenSaved> {
    return writeTransaction(this.ds, async (m) => {
      const [rule]: Array<{ door_id: string; time_segment_id: string }> = await m.query(`SELECT door_id, time_segment_id FROM acc_first_open WHERE id = $1 FOR UPDATE`, [id]);
      if (!rule) throw new CvError(CvCode.NotFound, 'The First-Person Normally Open rule does not exist');
      const was = await requireDoor(m, rule.door_id);
      const doorId = edit.doorId ?? rule.door_id;
      const timeSegmentId = edit.timeSegmentId ?? rule.time_segment_id;
      const door = doorId === rule.door_id ? was : await requireDoor(m, doorId);
      if (timeSegmentId !== rule.time_segment_id) await requireSegment(m, timeSegmentId);
      await requireFree(m, doorId, timeSegmentId, id);
      await m.query(`UPDATE acc_first_open SET door_id = $2, time_segment_id = $3, updated_at = now() WHERE id = $1`, [id, doorId, timeSegmentId]);
      if (edit.pins !== undefined) await writePersons(m, id, edit.pins);
      return { id, queued: await this.planner.syncFirstCards(m, [was, door]) };
    });
  }

  /** A rule deleted: its rows leave the panel (and the door's first-card mode, when it was the door's last rule). */
  delete(id: string): Promise<FirstOpenSaved> {
    return writeTransaction(this.ds, async (m) => {
      // As a SELECT: TypeORM answers a DELETE … RETURNING with [rows, count], never the rows alone.
      const [rule]: Array<{ door_id: string }> = await m.query(`WITH x AS (DELETE FROM acc_first_open WHERE id = $1 RETURNING door_id) SELECT door_id FROM x`, [id]);
      if (!rule) throw new CvError(CvCode.NotFound, 'The First-Person Normally Open rule does not exist');
      return { id, queued: await this.planner.syncFirstCards(m, [await requireDoor(m, rule.door_id)]) };
    });
  }
}

/**
 * The doors whose rules name these persons, read before the persons are deleted (their rule rows go with them): the
 * planner is given them after the delete, so the panels lose the persons' `firstcard` rows.
 */
export async function firstOpenDoorsOf(m: EntityManager, personIds: readonly string[]): Promise<DoorRef[]> {
  if (personIds.length === 0) return [];
  const rows: Array<{ device_id: string; door_no: number }> = await m.query(
    `SELECT DISTINCT d.device_id, d.door_no FROM acc_first_open_person fp JOIN acc_first_open f ON f.id = fp.first_open_id JOIN door d ON d.id = f.door_id
      WHERE fp.person_id = ANY($1::char(32)[])`,
    [personIds],
  );
  return rows.map((r) => ({ deviceId: r.device_id, doorNo: Number(r.door_no) }));
}

/** The door, on an access panel (an elevator or channel controller's doors are floors and gates: no first-card table). */
async function requireDoor(m: EntityManager, doorId: string): Promise<DoorRef> {
  const [d]: Array<{ device_id: string; door_no: number; kind: string }> = await m.query(
    `SELECT d.device_id, d.door_no, coalesce(v.kind_override, v.kind) AS kind FROM door d JOIN device v ON v.id = d.device_id WHERE d.id = $1`,
    [doorId],
  );
  if (!d) throw new CvError(CvCode.DoorNotExist, 'The door does not exist');
  if (d.kind !== 'acc') throw new CvError(CvCode.InvalidParameter, 'First-Person Normally Open is for the doors of access panels');
  return { deviceId: d.device_id, doorNo: Number(d.door_no) };
}

async function requireSegment(m: EntityManager, id: string): Promise<void> {
  const [t] = await m.query(`SELECT 1 FROM time_segment WHERE id = $1`, [id]);
  if (!t) throw new CvError(CvCode.NotFound, 'The time segment does not exist');
}

async function requireFree(m: EntityManager, doorId: string, timeSegmentId: string, self: string | null): Promise<void> {
  const [other] = await m.query(`SELECT 1 FROM acc_first_open WHERE door_id = $1 AND time_segment_id = $2 AND id IS DISTINCT FROM $3`, [doorId, timeSegmentId, self]);
  if (other) throw new CvError(CvCode.Conflict, 'The door already has a First-Person Normally Open rule in that time segment: edit that one');
}

/** The rule's persons replaced by these pins; an unknown pin refuses the write (-22), naming it. */
async function writePersons(m: EntityManager, id: string, pins: readonly string[]): Promise<void> {
  const unique = [...new Set(pins)];
  const found: Array<{ id: string; pin: string }> = await m.query(`SELECT id, pin FROM person WHERE pin = ANY($1::varchar[])`, [unique]);
  const missing = unique.filter((p) => !found.some((f) => f.pin === p));
  if (missing.length > 0) throw new CvError(CvCode.PersonNotExist, `No person has the pin ${missing.join(', ')}`);
  await m.query(`DELETE FROM acc_first_open_person WHERE first_open_id = $1 AND NOT (person_id = ANY($2::char(32)[]))`, [id, found.map((f) => f.id)]);
  await m.query(`INSERT INTO acc_first_open_person (first_open_id, person_id) SELECT $1, unnest($2::char(32)[]) ON CONFLICT DO NOTHING`, [id, found.map((f) => f.id)]);
}
