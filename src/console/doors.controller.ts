import { Body, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { requireSomeChange } from '../common/update-fields';
import { DoorControlService, queuedDetail, type QueuedDoorCommand } from '../door/door-control.service';
import { DoorService, type DoorWithState } from '../door/door.service';
import { anywhere, consolePage, servicePage } from './console-paging';
import { DOOR_MORE_OPTIONS, DOOR_OPTIONS, DoorAdminService, type DoorEdit } from '../door/door-admin.service';
import { LiveStreamService, type StreamEventType } from '../liveStream/live-stream.service';
import type { ConsoleRequest } from './console-cookie';
import { ConsoleController } from './console-http';
import { openConsoleStream } from './console-stream';
import { ConsoleSessionService } from './session.service';
import { Audit, namedBy } from './console-roles';
import { DataSource } from 'typeorm';
import { doorAccessPage, exportDoorAccess } from './door-access';
import { ConsoleAuditService } from './audit.service';

const ACTIONS = ['open', 'close', 'normalOpen', 'cancelAlarm', 'lockdown', 'endLockdown'] as const;
type DoorAction = (typeof ACTIONS)[number];
/** What the Doors page follows live: its doors' states and their panels' connection (none of the events). */
const DOOR_PAGE_TYPES = new Set<StreamEventType>(['doorState', 'deviceState']);

/** A door as the console lists it: the panel by name and SN, as CVSecurity's door list names each door's device. */
function doorRow(s: DoorWithState) {
  const d = s.door;
  return {
    id: d.id, name: d.name, doorNo: d.doorNo, deviceId: d.deviceId, deviceSn: d.device?.sn ?? null, deviceName: d.device?.alias ?? null, enabled: d.enabled,
    // The parameters the door edit sets (null: never set, the panel keeps its own; lockDelay is also a remote authorisation's open time).
    lockDelay: d.lockDelay, sensorType: d.sensorType, sensorDelay: d.sensorDelay, opInterval: d.opInterval, optionsSet: d.optionsSet,
    // The time zones by time segment id (keepOpenSet false: never set; set with null: none), lock at door closing;
    // the passwords only as whether one is set: secrets, never answered.
    keepOpenSegmentId: d.keepOpenSegmentId, keepOpenSet: d.keepOpenSet, validSegmentId: d.validSegmentId, closeAndLock: d.closeAndLock,
    duressPasswordSet: !!d.duressPassword, emergencyPasswordSet: !!d.emergencyPassword,
    ...s.state,
  };
}

/** Doors with their state, and remote control: each action queues one CONTROL DEVICE command for the door's panel. */
@ConsoleController('doors')
export class ConsoleDoorsController {
  constructor(
    private readonly doors: DoorService,
    private readonly control: DoorControlService,
    private readonly admin: DoorAdminService,
    private readonly stream: LiveStreamService,
    private readonly sessions: ConsoleSessionService,
    private readonly ds: DataSource,
    private readonly audit: ConsoleAuditService,
  ) {}

  /**
   * The Doors page: one page of the doors with their state (50 unless `size` says), narrowed as CVSecurity's door
   * list is by door name (`name`) and by device (`device`: its name or SN), each matching anywhere in it.
   */
  @Get()
  async list(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    const { rows, total } = await this.doors.pageStates({ name: anywhere(q.name), device: anywhere(q.device) }, servicePage(p));
    return ok({ rows: rows.map(doorRow), total, page: p.page, size: p.size });
  }

  /** Every door, for the pickers of other pages (a level's doors, the events' door filter): not paged. */
  @Get('all')
  async all() {
    return ok((await this.doors.allStates()).map(doorRow));
  }

  /** Who the door admits, by their access levels (CVSecurity's Access rights by door), paged. */
  @Get(':doorId/persons')
  async persons(@Param('doorId') doorId: string, @Query() q: Record<string, unknown>) {
    return ok(await doorAccessPage(this.ds, doorId, q));
  }

  /** The same report, every person the door admits, as CSV (CVSecurity's Export on Access rights by door). */
  @Get(':doorId/persons/csv')
  async personsCsv(@Param('doorId') doorId: string, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    await exportDoorAccess(this.ds, this.audit, doorId, req, reply);
  }

  /**
   * The Doors page's live stream: a door state changing, or a panel going offline or coming back, reads its list
   * again at once (CVSecurity's door monitoring follows both as they happen) rather than at its next periodic read.
   */
  @Get('stream')
  async live(@Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    await openConsoleStream(req, reply, this.stream, this.sessions, DOOR_PAGE_TYPES);
  }

  /**
   * CVSecurity's Door > Enable / Disable (DoorAdminService): a disabled door takes no remote command and its panel
   * withdraws it from every member's rights, in the same transaction; enabled again, the rights come back.
   */
  @Post(':doorId/enable')
  @HttpCode(200)
  @Audit('door.enable', (r) => r.params.doorId, namedBy('door', 'door', 'doorId'))
  async enable(@Param('doorId') doorId: string) {
    return ok(await this.admin.setEnabled(doorId, true));
  }

  @Post(':doorId/disable')
  @HttpCode(200)
  @Audit('door.disable', (r) => r.params.doorId, namedBy('door', 'door', 'doorId'))
  async disable(@Param('doorId') doorId: string) {
    return ok(await this.admin.setEnabled(doorId, false));
  }

  /**
   * CVSecurity's door edit: the name, enabled (its panel told in the same transaction), and the door's parameters its
   * panel keeps as options: lockDelay (Door<n>Drivertime), sensorType, sensorDelay (Door<n>Detectortime), opInterval
   * (Door<n>Intertime), sent as SET OPTIONS in the same transaction and confirmed by the panel's Return. A field not
   * sent is kept, so a form sends only what its operator changed and never puts back what another did.
   */
  @Put(':doorId')
  @Audit('door.update', (r) => `${r.params.doorId} ${typeof r.body?.name === 'string' ? r.body.name : ''}`.trim(), namedBy('door', 'door', 'doorId'))
  async update(@Param('doorId') doorId: string, @Body() body: DoorEditBody | undefined) {
    const edit = doorEdit(body);
    requireSomeChange('door', { ...edit });
    return ok(await this.admin.update(doorId, edit));
  }

  @Post(':doorId/:action')
  @HttpCode(200)
  @Audit('door.control', (r) => `${r.params.doorId} ${r.params.action}`, namedBy('door', 'door', 'doorId'))
  async act(@Param('doorId') doorId: string, @Param('action') action: string, @Body() body: { interval?: unknown } | undefined) {
    if (!ACTIONS.includes(action as DoorAction)) throw new CvError(CvCode.InvalidParameter, `action must be one of ${ACTIONS.join(', ')}`);
    const door = await this.doors.requireById(doorId);
    const ref = { doorId: door.id };
    let queued: QueuedDoorCommand;
    if (action === 'open') queued = await this.control.remoteOpen(ref, body?.interval === undefined ? '5' : String(body.interval));
    else if (action === 'close') queued = await this.control.remoteClose(ref);
    else if (action === 'normalOpen') queued = await this.control.normalOpen(ref);
    // CVSecurity's Activate / Deactivate Lockdown (CONTROL DEVICE 06), as POST /api/gateway/doors/{doorId}/lock|unlock.
    else if (action === 'lockdown' || action === 'endLockdown') queued = await this.control.lockdown(ref, action === 'lockdown');
    else queued = await this.control.cancelAlarm(ref);
    return ok({ door: door.name, ...queued }, queuedDetail(queued));
  }
}

/**
 * The bounds of the door parameters CVSecurity's door edit offers, as the panel's options take them (Appendix 10): the
 * lock-open duration 1-254 s (what a remote opening can carry too), the sensor type 0 none, 1 normally open, 2 normally
 * closed, the sensor delay 0-254 s (0: no alarm for the delay), the operate interval 0-254 s.
 */
const DOOR_OPTION_BOUNDS: Record<(typeof DOOR_OPTIONS)[number], { min: number; max: number; what: string }> = {
  lockDelay: { min: 1, max: 254, what: 'lockDelay (lock-open duration) must be a whole number of seconds, 1-254' },
  sensorType: { min: 0, max: 2, what: 'sensorType must be 0 (none), 1 (normally open) or 2 (normally closed)' },
  sensorDelay: { min: 0, max: 254, what: 'sensorDelay (door sensor delay) must be a whole number of seconds, 0-254' },
  opInterval: { min: 0, max: 254, what: 'opInterval (operate interval) must be a whole number of seconds, 0-254' },
};

type DoorEditBody = { name?: unknown; enabled?: unknown } & { [K in (typeof DOOR_OPTIONS)[number] | (typeof DOOR_MORE_OPTIONS)[number]]?: unknown };

/**
 * The door edit's time zones, lock at door closing and passwords: a time segment's id (the passage mode's may be null:
 * none), true or false, digits (the duress password up to 6, the emergency password up to 8, as Appendix 10 bounds
 * them; '' clears one).
 */
function doorEditMore(body: DoorEditBody | undefined): Pick<DoorEdit, (typeof DOOR_MORE_OPTIONS)[number]> {
  const segment = (k: 'keepOpenSegmentId' | 'validSegmentId', v: unknown, none: boolean) => {
    if (v === undefined || (none && v === null) || (typeof v === 'string' && v !== '')) return v as string | null | undefined;
    throw new CvError(CvCode.InvalidParameter, `${k} must be a time segment's id${none ? ', or null for none' : ''}`);
  };
  const password = (k: 'duressPassword' | 'emergencyPassword', v: unknown, max: number) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !new RegExp(`^\\d{0,${max}}$`).test(v)) throw new CvError(CvCode.InvalidParameter, `${k} must be up to ${max} digits ('' clears it)`);
    return v;
  };
  if (body?.closeAndLock !== undefined && typeof body.closeAndLock !== 'boolean') throw new CvError(CvCode.InvalidParameter, 'closeAndLock must be true or false');
  return {
    keepOpenSegmentId: segment('keepOpenSegmentId', body?.keepOpenSegmentId, true),
    validSegmentId: segment('validSegmentId', body?.validSegmentId, false) ?? undefined,
    closeAndLock: body?.closeAndLock as boolean | undefined,
    duressPassword: password('duressPassword', body?.duressPassword, 6),
    emergencyPassword: password('emergencyPassword', body?.emergencyPassword, 8),
  };
}

/**
 * The door edit's fields: a name (trimmed, 1-100 characters), enabled true or false, the door's parameters within
 * DOOR_OPTION_BOUNDS; each undefined when not sent.
 */
function doorEdit(body: DoorEditBody | undefined): DoorEdit {
  // Every field named, given or not: an edit with nothing to change names them all (requireSomeChange).
  const options: Pick<DoorEdit, (typeof DOOR_OPTIONS)[number]> = { lockDelay: undefined, sensorType: undefined, sensorDelay: undefined, opInterval: undefined };
  for (const k of DOOR_OPTIONS) {
    const v = body?.[k];
    if (v === undefined) continue;
    const b = DOOR_OPTION_BOUNDS[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < b.min || v > b.max) throw new CvError(CvCode.InvalidParameter, b.what);
    options[k] = v;
  }
  return { ...doorEditNames(body), ...options, ...doorEditMore(body) };
}

function doorEditNames(body: DoorEditBody | undefined): { name?: string; enabled?: boolean } {
  let name: string | undefined;
  if (body?.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.trim() === '') throw new CvError(CvCode.InvalidParameter, 'name: give the door a name');
    name = body.name.trim();
    if (name.length > 100) throw new CvError(CvCode.InvalidParameter, 'name: at most 100 characters');
  }
  if (body?.enabled !== undefined && typeof body.enabled !== 'boolean') throw new CvError(CvCode.InvalidParameter, 'enabled must be true or false');
  return { name, enabled: body?.enabled as boolean | undefined };
}
