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
});
