import { describe, expect, it } from 'vitest';
import { BioTemplate } from '../bioTemplate/bio-template.entity';
import { Door } from '../door/door.entity';
import { DeviceUpload } from '../push/device-upload.entity';
import { columnsOf, insertOf, intoOf, tableOf } from './columns';
import { ENTITIES } from './entities';

describe('column lists from the entities', () => {
  it('names the table and the columns of the properties, in the order given (inherited ones too)', () => {
    expect(tableOf(DeviceUpload)).toBe('device_upload');
    expect(columnsOf(DeviceUpload, ['uploadKey', 'deviceSn', 'pin'])).toEqual(['upload_key', 'device_sn', 'pin']);
    expect(intoOf(Door, ['id', 'deviceId', 'doorNo'])).toBe('door (id, device_id, door_no)');
    expect(insertOf(BioTemplate, ['personId', 'template'])).toBe('bio_template (person_id, template) VALUES ($1, $2)');
  });

  it('refuses a property that is not a column, and a class that is not an entity', () => {
    expect(() => columnsOf(BioTemplate, ['person' as never])).toThrow(/not a column/);
    expect(() => tableOf(class NotAnEntity {})).toThrow(/not an entity/);
  });

  it('every entity of the registry has a table', () => {
    for (const e of ENTITIES) expect(tableOf(e), e.name).toMatch(/^[a-z_]+$/);
  });
});
