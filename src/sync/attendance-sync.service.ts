import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { CommandQueueService } from '../push/command-queue.service';
import {
  hashOf,
  photoCommands,
  removalCommand,
  templateCommands,
  userInfoCommand,
  type AttSyncPerson,
  type AttSyncTemplate,
  type AttSyncTerminal,
} from './attendance-commands';

interface SentRow {
  deviceId: string;
  pin: string;
  userHash: string;
  bioHash: string | null;
}

export interface AttSyncOptions {
  /** Re-send everything, whatever was sent before. */
  force?: boolean;
  /** The terminal a change came from (enrolment there): it already holds it, only the planner's state is updated. */
  originDeviceId?: string;
}

/**
 * The attendance part of the one planner: which persons belong on which attendance terminal and FaceKiosk,
 * and the commands in the terminal's dialect. A person belongs on the terminals (kind `att`) of the attendance
 * areas they are a member of (`attAreaPerson`), and on the kiosks (kind `facekiosk`) of their FaceKiosk areas
 * (`insAreaPerson`) unless blacklisted there (editInsPerson category 2: blocked = not on the kiosk). What was
 * queued is kept per terminal and PIN (`att_device_person`, hashed), so an unchanged person is not re-sent and a
 * person who no longer belongs is deleted. Every method runs in the caller's transaction.
 */
@Injectable()
export class AttendanceSyncService {
  private readonly log = new Logger('AttendanceSync');

  constructor(private readonly queue: CommandQueueService) {}

  /** Persons changed (saved, area membership, attendance settings, enrolment): their terminals converge. */
  async syncPersons(m: EntityManager, personIds: readonly string[], opts: AttSyncOptions = {}): Promise<void> {
    if (personIds.length === 0) return;
    const persons = await loadPersons(m, personIds);
    const pins = persons.map((p) => p.pin);
    const wanted = await loadMembership(m, { personIds: [...personIds] });
    const sent = await loadSent(m, { pins });
    const deviceIds = new Set<string>([...wanted.map((w) => w.deviceId), ...sent.map((s) => s.deviceId)]);
    const terminals = await loadTerminals(m, [...deviceIds]);
    const templates = await loadTemplates(m, personIds);
    await this.plan(m, terminals, persons, wanted, sent, templates, opts);
  }

  /** A person deleted or resigned: off every terminal that holds them. */
  removePin(m: EntityManager, pin: string): Promise<void> {
    return this.removePins(m, [pin]);
  }

  /** Several persons deleted at once: one read of what the terminals hold, one enqueue, one delete. */
  async removePins(m: EntityManager, pins: readonly string[]): Promise<void> {
    if (pins.length === 0) return;
    const sent = await loadSent(m, { pins: [...pins] });
    const terminals = await loadTerminals(m, [...new Set(sent.map((s) => s.deviceId))]);
    const byDevice = new Map<string, string[]>();
    for (const s of sent) {
      if (!terminals.has(s.deviceId)) continue;
      const list = byDevice.get(s.deviceId) ?? [];
      list.push(removalCommand(s.pin));
      byDevice.set(s.deviceId, list);
    }
    const batches = [...byDevice].map(([deviceId, commands]) => ({ deviceSn: terminals.get(deviceId)!.sn, commands }));
    if (batches.length) await this.queue.enqueueMany(m, batches);
    await m.query(`DELETE FROM att_device_person WHERE pin = ANY($1::text[])`, [[...pins]]);
  }

  /** Everything one terminal should hold (admitted, or asked for a full sync). */
  async syncTerminalFull(m: EntityManager, deviceId: string): Promise<void> {
    const terminals = await loadTerminals(m, [deviceId]);
    if (!terminals.has(deviceId)) return;
    const wanted = await loadMembership(m, { deviceId });
    const personIds = [...new Set(wanted.map((w) => w.personId))];
    const persons = await loadPersons(m, personIds);
    const sent = await loadSent(m, { deviceId });
    const templates = await loadTemplates(m, personIds);
    await this.plan(m, terminals, persons, wanted, sent, templates, { force: true });
  }

  private async plan(
    m: EntityManager,
    terminals: Map<string, AttSyncTerminal>,
    persons: AttSyncPerson[],
    wanted: Membership[],
    sent: SentRow[],
    templates: Map<string, AttSyncTemplate[]>,
    opts: AttSyncOptions,
  ): Promise<void> {
    const byId = new Map(persons.map((p) => [p.id, p]));
    const before = new Map(sent.map((s) => [`${s.deviceId}/${s.pin}`, s]));
    const keep = new Set<string>();
    const commands = new Map<string, string[]>();
    const upserts: SentRow[] = [];
    const push = (deviceId: string, cmds: string[]) => {
      if (cmds.length === 0 || deviceId === opts.originDeviceId) return;
      const list = commands.get(deviceId) ?? [];
      list.push(...cmds);
      commands.set(deviceId, list);
    };
    for (const w of wanted) {
      const t = terminals.get(w.deviceId);
      const base = byId.get(w.personId);
      if (!t || !base) continue;
      const p: AttSyncPerson = { ...base, pri: t.kind === 'facekiosk' ? w.insPri : base.pri };
      const key = `${t.id}/${p.pin}`;
      if (keep.has(key)) continue;
      keep.add(key);
      let user: string;
      let bio: string[];
      try {
        user = userInfoCommand(p);
        bio = [...templateCommands(t, p.pin, templates.get(p.id) ?? []), ...photoCommands(p.pin, p.photo)];
      } catch (err) {
        this.log.warn(`person ${p.pin} is not sent to terminal ${t.sn}: ${(err as Error).message}`);
        continue;
      }
      const userHash = hashOf(user);
      const bioHash = hashOf(bio);
      const prev = before.get(key);
      const cmds: string[] = [];
      if (opts.force || !prev || prev.userHash !== userHash) cmds.push(user);
      if (opts.force || !prev || prev.bioHash !== bioHash) cmds.push(...bio);
      push(t.id, cmds);
      upserts.push({ deviceId: t.id, pin: p.pin, userHash, bioHash });
    }
    const removals: SentRow[] = [];
    for (const s of sent) {
      if (keep.has(`${s.deviceId}/${s.pin}`)) continue;
      removals.push(s);
      push(s.deviceId, [removalCommand(s.pin)]);
    }
    if (upserts.length) {
      await m.query(
        `INSERT INTO att_device_person (device_id, pin, user_hash, bio_hash, updated_at)
         SELECT d, p, u, b, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(d, p, u, b)
         ON CONFLICT (device_id, pin) DO UPDATE SET user_hash = EXCLUDED.user_hash, bio_hash = EXCLUDED.bio_hash, updated_at = now()`,
        [upserts.map((u) => u.deviceId), upserts.map((u) => u.pin), upserts.map((u) => u.userHash), upserts.map((u) => u.bioHash)],
      );
    }
    if (removals.length) {
      await m.query(`DELETE FROM att_device_person d USING unnest($1::text[], $2::text[]) AS x(d, p) WHERE d.device_id = x.d AND d.pin = x.p`, [
        removals.map((r) => r.deviceId),
        removals.map((r) => r.pin),
      ]);
    }
    const batches = [...commands.entries()].filter(([id]) => terminals.has(id)).map(([id, cmds]) => ({ deviceSn: terminals.get(id)!.sn, commands: cmds }));
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }
}

interface Membership {
  deviceId: string;
  personId: string;
  /** FaceKiosk privilege of the person (editInsPerson). */
  insPri: number;
}

/**
 * (terminal, person) pairs that should exist: attendance areas → att terminals of the area; FaceKiosk areas →
 * kiosks of the area, blacklisted persons excepted. Active persons only.
 */
async function loadMembership(m: EntityManager, where: { personIds?: string[]; deviceId?: string }): Promise<Membership[]> {
  const params: unknown[] = [];
  let filter: string;
  if (where.deviceId) {
    params.push(where.deviceId);
    filter = `d.id = $1`;
  } else {
    params.push(where.personIds ?? []);
    filter = `ap.person_id = ANY($1)`;
  }
  const rows: Array<{ device_id: string; person_id: string; ins_pri: number | null }> = await m.query(
    `SELECT d.id AS device_id, ap.person_id, ax.ins_per_dev_auth AS ins_pri
       FROM att_area_person ap
       JOIN device d ON d.area_id = ap.area_id AND d.admission = 'admitted'
        AND ${effectiveKindSql('d')} = CASE ap.module WHEN 'att' THEN 'att' ELSE 'facekiosk' END
       JOIN person p ON p.id = ap.person_id AND p.status = 'active'
       LEFT JOIN att_person ax ON ax.person_id = ap.person_id
      WHERE ${filter} AND NOT (ap.module = 'ins' AND COALESCE(ax.ins_category, 0) = 2)`,
    params,
  );
  return rows.map((r) => ({ deviceId: r.device_id, personId: r.person_id, insPri: Number(r.ins_pri ?? 0) }));
}

async function loadPersons(m: EntityManager, ids: readonly string[]): Promise<AttSyncPerson[]> {
  if (ids.length === 0) return [];
  const rows: Array<{ id: string; pin: string; name: string | null; last_name: string | null; card_no: string | null; password: string | null; photo: string | null; pri: number | null; verify_mode: number | null }> =
    await m.query(
      `SELECT p.id, p.pin, p.name, p.last_name, p.card_no, p.password, p.photo, ax.per_dev_auth AS pri, ax.verify_mode
         FROM person p LEFT JOIN att_person ax ON ax.person_id = p.id WHERE p.id = ANY($1)`,
      [ids],
    );
  return rows.map((r) => ({
    id: r.id,
    pin: r.pin,
    name: r.name,
    lastName: r.last_name,
    cardNo: r.card_no,
    password: r.password,
    photo: r.photo,
    pri: Number(r.pri ?? 0),
    verifyMode: r.verify_mode === null ? null : Number(r.verify_mode),
  }));
}

async function loadSent(m: EntityManager, where: { pins?: string[]; deviceId?: string }): Promise<SentRow[]> {
  const rows: Array<{ device_id: string; pin: string; user_hash: string; bio_hash: string | null }> = where.deviceId
    ? await m.query(`SELECT device_id, pin, user_hash, bio_hash FROM att_device_person WHERE device_id = $1`, [where.deviceId])
    : await m.query(`SELECT device_id, pin, user_hash, bio_hash FROM att_device_person WHERE pin = ANY($1)`, [where.pins ?? []]);
  return rows.map((r) => ({ deviceId: r.device_id, pin: r.pin, userHash: r.user_hash, bioHash: r.bio_hash }));
}

/**
 * Admitted attendance terminals and kiosks. Unified templates (BIODATA) when the terminal announced a 2.4+
 * protocol or reported BIODATA/multi-biometric options; FINGERTMP/FACE/FVEIN otherwise (attendance manual
 * 12.1.1.3: FINGERTMP is for algorithms up to 10.0).
 */
async function loadTerminals(m: EntityManager, ids: readonly string[]): Promise<Map<string, AttSyncTerminal>> {
  if (ids.length === 0) return new Map();
  const rows: Array<{ id: string; sn: string; kind: 'att' | 'facekiosk'; area_id: string | null; pushver: string | null; biodata_option: boolean }> = await m.query(
    `SELECT d.id, d.sn, ${effectiveKindSql('d')} AS kind, d.area_id,
            COALESCE(t.handshake->>'pushver', d.registration->>'pushver') AS pushver,
            EXISTS (SELECT 1 FROM device_upload u WHERE u.device_sn = d.sn AND u.table_name = 'options'
                     AND (u.record->>'BioDataFun' = '1' OR u.record ? 'MultiBioDataSupport')) AS biodata_option
       FROM device d LEFT JOIN att_terminal t ON t.device_id = d.id
      WHERE d.id = ANY($1) AND d.admission = 'admitted' AND ${effectiveKindSql('d')} IN ('att', 'facekiosk')`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, sn: r.sn, kind: r.kind, areaId: r.area_id, biodata: r.biodata_option || pushverAtLeast(r.pushver, [2, 4, 0]) }]));
}

function pushverAtLeast(v: string | null, min: number[]): boolean {
  const parts = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(v ?? '');
  if (!parts) return false;
  const got = [Number(parts[1]), Number(parts[2]), Number(parts[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (got[i] !== min[i]) return got[i] > min[i];
  return true;
}

async function loadTemplates(m: EntityManager, personIds: readonly string[]): Promise<Map<string, AttSyncTemplate[]>> {
  if (personIds.length === 0) return new Map();
  const rows: Array<{ person_id: string; bio_type: number; template_no: number; template_no_index: number; valid_type: number; major_ver: number; minor_ver: number; format: number; template: string }> =
    await m.query(
      `SELECT person_id, bio_type, template_no, template_no_index, valid_type, major_ver, minor_ver, format, template
         FROM bio_template WHERE person_id = ANY($1) ORDER BY person_id, bio_type, template_no, template_no_index`,
      [personIds],
    );
  const out = new Map<string, AttSyncTemplate[]>();
  for (const r of rows) {
    const list = out.get(r.person_id) ?? [];
    list.push({ bioType: r.bio_type, no: r.template_no, index: r.template_no_index, validType: r.valid_type, majorVer: r.major_ver, minorVer: r.minor_ver, format: r.format, template: r.template });
    out.set(r.person_id, list);
  }
  return out;
}
