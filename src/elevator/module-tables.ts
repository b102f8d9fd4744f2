import { rawTable } from '../database/columns';
import type { ModuleKind } from '../sync/module-rights';

/**
 * The elevator (ele) and entrance-control (psg) tables, written with SQL only; created by migration
 * 1763700001600, which gives both modules the same level tables.
 */
export const FLOOR = rawTable('floor', {
  id: ['id', 'character(32)'],
  deviceId: ['device_id', 'character(32)'],
  floorNo: ['floor_no', 'integer'],
  name: ['name', 'character varying(100)'],
  source: ['source', 'character varying(16)'],
  createdAt: ['created_at', 'timestamp with time zone'],
  updatedAt: ['updated_at', 'timestamp with time zone'],
});

const levelOf = (module: ModuleKind) =>
  rawTable(`${module}_level`, {
    id: ['id', 'character(32)'],
    name: ['name', 'character varying(100)'],
    timeSegmentId: ['time_segment_id', 'character(32)'],
    areaId: ['area_id', 'character(32)'],
    createdAt: ['created_at', 'timestamp with time zone'],
    updatedAt: ['updated_at', 'timestamp with time zone'],
  });

const levelPersonOf = (module: ModuleKind) =>
  rawTable(`${module}_level_person`, {
    levelId: ['level_id', 'character(32)'],
    personId: ['person_id', 'character(32)'],
    createdAt: ['created_at', 'timestamp with time zone'],
  });

/** A level's points: floors for an elevator level, gates for an entrance-control level. */
const levelPointOf = (module: ModuleKind, point: 'floor' | 'gate') =>
  rawTable(`${module}_level_${point}`, {
    levelId: ['level_id', 'character(32)'],
    pointId: [`${point}_id`, 'character(32)'],
    createdAt: ['created_at', 'timestamp with time zone'],
  });

export const MODULE_LEVEL = { ele: levelOf('ele'), psg: levelOf('psg') };
export const MODULE_LEVEL_PERSON = { ele: levelPersonOf('ele'), psg: levelPersonOf('psg') };
export const MODULE_LEVEL_POINT = { ele: levelPointOf('ele', 'floor'), psg: levelPointOf('psg', 'gate') };

export const MODULE_MONITOR_CURSOR = rawTable('module_monitor_cursor', {
  clientId: ['client_id', 'character varying(64)'],
  module: ['module', 'character varying(8)'],
  timestamp: ['timestamp', 'bigint'],
  xid: ['xid', 'bigint'],
  transactionId: ['transaction_id', 'bigint'],
  polledAt: ['polled_at', 'timestamp with time zone'],
  startSnapshot: ['start_snapshot', 'character varying(4000)'],
  createdAt: ['created_at', 'timestamp with time zone'],
  handedXid: ['handed_xid', 'bigint'],
  handedId: ['handed_id', 'bigint'],
  handedBy: ['handed_by', 'character varying(100)'],
});

/**
 * Elevator and channel-controller events (CVSecurity's eleTransaction and psgTransaction): the acc_transaction
 * columns, the event's own feed position (`xid`) and the channel controller's gate type.
 */
export const MODULE_TRANSACTION = rawTable('module_transaction', {
  id: ['id', 'bigint'],
  module: ['module', 'character varying(8)'],
  uniqueKey: ['unique_key', 'character varying(200)'],
  xid: ['xid', 'bigint'],
  deviceId: ['device_id', 'character(32)'],
  deviceSn: ['device_sn', 'character varying(64)'],
  devAlias: ['dev_alias', 'character varying(100)'],
  logId: ['log_id', 'integer'],
  eventTime: ['event_time', 'timestamp with time zone'],
  pin: ['pin', 'character varying(64)'],
  personId: ['person_id', 'character(32)'],
  name: ['name', 'character varying(100)'],
  lastName: ['last_name', 'character varying(100)'],
  deptCode: ['dept_code', 'character varying(100)'],
  deptName: ['dept_name', 'character varying(100)'],
  cardNo: ['card_no', 'character varying(64)'],
  doorId: ['door_id', 'character(32)'],
  doorNo: ['door_no', 'integer'],
  doorName: ['door_name', 'character varying(100)'],
  readerId: ['reader_id', 'character(32)'],
  readerName: ['reader_name', 'character varying(100)'],
  readerState: ['reader_state', 'integer'],
  eventNo: ['event_no', 'integer'],
  eventName: ['event_name', 'character varying(200)'],
  eventLevel: ['event_level', 'integer'],
  eventPointName: ['event_point_name', 'character varying(100)'],
  verifyModeNo: ['verify_mode_no', 'integer'],
  verifyModeName: ['verify_mode_name', 'character varying(100)'],
  areaName: ['area_name', 'character varying(100)'],
  temperature: ['temperature', 'character varying(16)'],
  alarmType: ['alarm_type', 'integer'],
  gateType: ['gate_type', 'integer'],
  createdAt: ['created_at', 'timestamp with time zone'],
});

/** Each channel controller's last `table=irstate` report (7.14). */
export const PSG_COUNTER = rawTable('psg_counter', {
  deviceId: ['device_id', 'character(32)'],
  irstate: ['irstate', 'integer'],
  irsenseCount: ['irsense_count', 'integer'],
  inCount: ['in_count', 'integer'],
  outCount: ['out_count', 'integer'],
  alarmCount: ['alarm_count', 'integer'],
  runCount: ['run_count', 'integer'],
  reportedAt: ['reported_at', 'timestamp with time zone'],
});
