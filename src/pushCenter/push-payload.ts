import { createHmac } from 'node:crypto';

/**
 * The acc_transaction row as the insert trigger captured it (`to_jsonb`), snake_case; or an att_transaction row
 * (a terminal punch) with `module: 'att'`, which has no door, reader or event number but a punch `status`; or a
 * module_transaction row (`module: 'ele'` an elevator controller's event, its point a floor; `'psg'` a channel
 * controller's, its point a gate), which has the access columns.
 */
export interface OutboxEvent {
  module?: OutboxModule;
  status?: number | null;
  id: number | string;
  unique_key: string | null;
  device_sn: string;
  dev_alias: string | null;
  log_id: number | null;
  event_time: string;
  pin: string | null;
  name: string | null;
  last_name: string | null;
  dept_code: string | null;
  dept_name: string | null;
  card_no: string | null;
  door_id: string | null;
  door_name: string | null;
  reader_name: string | null;
  reader_state: number | null;
  event_no: number;
  event_name: string | null;
  event_level: number | null;
  event_point_name: string | null;
  verify_mode_no: number | null;
  verify_mode_name: string | null;
  area_name: string | null;
  temperature: string | null;
}

/** The event inside `content` (field notes, REST item 11); unknown values are null. */
export interface PushEventContent {
  eventTime: number;
  pin: string | null;
  name: string | null;
  lastName: string | null;
  cardNo: string | null;
  deptCode: string | null;
  deptName: string | null;
  devSn: string;
  devAlias: string | null;
  doorId: string | null;
  doorName: string | null;
  eventNo: number;
  eventName: string | null;
  eventLevel: number | null;
  eventPointName: string | null;
  readerName: string | null;
  readerState: number | null;
  verifyModeNo: number | null;
  verifyModeName: string | null;
  areaName: string | null;
  logId: number | null;
  temperature: string | null;
  uniqueKey: string | null;
}

export type OutboxModule = 'acc' | 'att' | 'ele' | 'psg';

/** The Push Center's module names, as the manual names the modules (2.2 "Elevator Control", 2.30 "Entrance Control"). */
const MODULE_NAMES = { acc: 'Access', att: 'Attendance', ele: 'Elevator Control', psg: 'Entrance Control' } as const;

export interface PushCenterPayload {
  module: OutboxModule;
  dataType: 'text';
  moduleName: (typeof MODULE_NAMES)[OutboxModule];
  content: string;
  pushType: '7';
  pushTypeName: 'Event Log';
}

/** ATTLOG states, as the attendance event names of a punch. */
const PUNCH_STATES: Record<number, string> = { 0: 'Check-In', 1: 'Check-Out', 2: 'Break-Out', 3: 'Break-In', 4: 'Overtime-In', 5: 'Overtime-Out' };

/** What a punch and an access event fill alike: when, who, and on which device. */
function whoAndWhere(e: OutboxEvent) {
  return {
    eventTime: new Date(e.event_time).getTime(),
    pin: e.pin,
    name: e.name,
    lastName: e.last_name,
    cardNo: e.card_no,
    deptCode: e.dept_code,
    deptName: e.dept_name,
    devSn: e.device_sn,
    devAlias: e.dev_alias,
  };
}

/** How the person verified, and where. */
function verifyAndArea(e: OutboxEvent) {
  return {
    verifyModeNo: e.verify_mode_no,
    verifyModeName: e.verify_mode_name,
    areaName: e.area_name,
  };
}

export function toPushContent(e: OutboxEvent): PushEventContent {
  if (e.module === 'att') {
    return {
      ...whoAndWhere(e),
      doorId: null,
      doorName: null,
      eventNo: e.status ?? 0,
      eventName: e.status === null || e.status === undefined ? null : (PUNCH_STATES[e.status] ?? `State ${e.status}`),
      eventLevel: 0,
      eventPointName: e.dev_alias,
      readerName: null,
      readerState: null,
      ...verifyAndArea(e),
      logId: typeof e.id === 'string' ? Number(e.id) : e.id,
      temperature: null,
      uniqueKey: e.unique_key,
    };
  }
  return {
    ...whoAndWhere(e),
    doorId: e.door_id,
    doorName: e.door_name,
    eventNo: e.event_no,
    eventName: e.event_name,
    eventLevel: e.event_level,
    eventPointName: e.event_point_name,
    readerName: e.reader_name,
    readerState: e.reader_state,
    ...verifyAndArea(e),
    logId: e.log_id,
    temperature: e.temperature,
    uniqueKey: e.unique_key,
  };
}

/** CVSecurity's Push Center body: `content` is the event as a JSON string. */
export function toPushBody(e: OutboxEvent): string {
  const module = e.module ?? 'acc';
  const payload: PushCenterPayload = {
    module,
    dataType: 'text',
    moduleName: MODULE_NAMES[module],
    content: JSON.stringify(toPushContent(e)),
    pushType: '7',
    pushTypeName: 'Event Log',
  };
  return JSON.stringify(payload);
}

export const SIGNATURE_HEADER = 'x-gateway-signature';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>` with the target's secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
