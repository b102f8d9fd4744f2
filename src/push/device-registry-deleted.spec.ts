import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { PushSettings } from './push-settings';
import type { WorkSignalService } from './work-signal.service';
import { CvError } from '../common/cv-error';
import { DeviceRegistryService } from './device-registry.service';

/**
 * An SN first seen while its device row is being deleted (DELETE /api/gateway/devices/{sn} in another request or
 * process): the row inserted for it is gone again when it is read back. That used to be a TypeError (HTTP 500 to the
 * device, seen by the race hunt on the embedded database); it is now created anew, or the device answered 503.
 */
function registryWhose(reads: Array<Array<Record<string, unknown>>>): { registry: DeviceRegistryService; inserts: () => number } {
  let inserts = 0;
  const ds = {
    query: async () => reads.shift() ?? [],
    transaction: async (fn: (m: unknown) => Promise<unknown>) => {
      inserts++;
      return fn({ query: async () => [{ id: 'x' }] });
    },
  } as unknown as DataSource;
  const config = { deviceAdmission: 'manual', timeZone: 'UTC' } as unknown as AppConfig;
  const registry = new DeviceRegistryService(ds, config, {} as PushSettings, {} as WorkSignalService);
  return { registry, inserts: () => inserts };
}

const row = (sn: string) => ({ id: 'd1', sn, alias: sn, admission: 'pending', registry_code: null, session_id: null, lock_count: 0, time_zone: 'UTC', request_delay: null, last_seen_at: null, capabilities: null, registered_at: null, kind: 'acc', kind_override: null });

describe('DeviceRegistryService: a device deleted while it is being added', () => {
  it('creates it anew when its row is gone at the read after the insert', async () => {
    const { registry, inserts } = registryWhose([[], [], [row('DEL0001')]]);
    await expect(registry.resolve('DEL0001')).resolves.toMatchObject({ id: 'd1', sn: 'DEL0001' });
    expect(inserts()).toBe(2);
  });

  it('answers 503 (the device sends again) when it is deleted every time, never a program error', async () => {
    const { registry, inserts } = registryWhose([]);
    const err = await registry.resolve('DEL0002').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CvError);
    expect(err).toMatchObject({ code: -503, httpStatus: 503 });
    expect(inserts()).toBe(3);
  });
});
