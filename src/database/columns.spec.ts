import { describe, expect, it } from 'vitest';
import { BioTemplate } from '../bioTemplate/bio-template.entity';
import { Door } from '../door/door.entity';
import { DeviceUpload } from '../push/device-upload.entity';
import { SyncItem } from '../sync/sync-state.entity';
import { columnsOf, excludedOf, insertOf, intoOf, listOf, placeholders, quoted, rawTable, tableOf, unnestOf, valuesOf } from './columns';
import { ENTITIES } from './entities';
import { RAW_TABLES } from './raw-tables';

const LOG = rawTable('some_log', { at: ['at', 'timestamp with time zone'], by: ['user', 'character varying(64)'], note: ['note', 'text'] });

describe('column lists from the entities', () => {
  it('names the table and the columns of the properties, in the order given (inherited ones too)', () => {
    expect(tableOf(DeviceUpload)).toBe('device_upload');
    expect(columnsOf(DeviceUpload, ['uploadKey', 'deviceSn', 'pin'])).toEqual(['upload_key', 'device_sn', 'pin']);
    expect(intoOf(Door, ['id', 'deviceId', 'doorNo'])).toBe('door (id, device_id, door_no)');
    expect(insertOf(BioTemplate, ['personId', 'template'])).toBe('bio_template (person_id, template) VALUES ($1, $2)');
  });

  it('builds conflict targets, update lists, placeholders and array casts from the column types', () => {
    expect(listOf(SyncItem, ['deviceId', 'kind', 'key'])).toBe('device_id, kind, key');
    expect(excludedOf(SyncItem, ['hash', 'confirmedAt'])).toBe('hash = EXCLUDED.hash, confirmed_at = EXCLUDED.confirmed_at');
    expect(placeholders(3, 4)).toBe('$4, $5, $6');
    expect(unnestOf(SyncItem, ['deviceId', 'kind', 'failures'], 2)).toBe('unnest($2::char(32)[], $3::varchar[], $4::integer[])');
  });

  it('refuses a property that is not a column, and a class that is not an entity', () => {
    expect(() => columnsOf(BioTemplate, ['person' as never])).toThrow(/not a column/);
    expect(() => tableOf(class NotAnEntity {})).toThrow(/not an entity/);
    expect(() => columnsOf(LOG, ['nope' as never])).toThrow(/some_log\.nope is not a column/);
  });

  it('describes a table without an entity the same way, quoting a reserved column name', () => {
    expect(quoted('user')).toBe('"user"');
    expect(quoted('device_sn')).toBe('device_sn');
    expect(insertOf(LOG, ['by', 'note'])).toBe('some_log ("user", note) VALUES ($1, $2)');
    expect(excludedOf(LOG, ['by'])).toBe('"user" = EXCLUDED."user"');
    expect(unnestOf(LOG, ['at', 'note'])).toBe('unnest($1::timestamp with time zone[], $2::text[])');
  });

  it('orders the values of a row as its column list, absent ones NULL', () => {
    expect(valuesOf(['a', 'b', 'c'] as const, { c: 3, a: 1 })).toEqual([1, null, 3]);
  });

  it('every entity of the registry and every raw table has a table', () => {
    for (const e of ENTITIES) expect(tableOf(e), e.name).toMatch(/^[a-z_]+$/);
    for (const t of RAW_TABLES) expect(tableOf(t)).toMatch(/^[a-z_]+$/);
  });
});
