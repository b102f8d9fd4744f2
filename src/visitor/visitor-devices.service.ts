import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CommandQueueService } from '../push/command-queue.service';
import { holidayCommands, timezoneCommands } from '../sync/sync-commands';
import { loadDevices, loadDeviceTimezones, loadHolidays, loadTimeSegments, markDeviceTimezones } from '../sync/sync-queries';
import { loadVisitorRights, loadVisitors, visitorCommands, visitorRemovalCommands } from '../sync/visitor-sync';

/**
 * The device side of a visit, always inside the caller's transaction: check-in puts the visitor on the
 * devices of the doors of their visitor levels (time zones first where a device lacks them), check-out and
 * expiry take them off every device they were sent to.
 */
@Injectable()
export class VisitorDevicesService {
  constructor(
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async grant(m: EntityManager, registrationId: string): Promise<void> {
    const rights = (await loadVisitorRights(m, { registrationIds: [registrationId] })).get(registrationId) ?? new Map();
    const [visitor] = await loadVisitors(m, [registrationId]);
    if (!visitor || rights.size === 0) return;
    const devices = await loadDevices(m, [...rights.keys()], this.config.timeZone);
    const known = await loadDeviceTimezones(m, [...devices.keys()]);
    const batches: Array<{ deviceSn: string; commands: string[] }> = [];
    const sentTz: Array<{ deviceId: string; tzId: number }> = [];
    for (const device of [...devices.values()].sort((a, b) => a.sn.localeCompare(b.sn))) {
      const r = rights.get(device.id)!;
      const commands = visitorCommands(device, [{ visitor, rights: r }]);
      if (commands.length === 0) continue;
      const have = known.get(device.id) ?? new Set<number>();
      const missing = [...r.keys()].filter((tz) => !have.has(tz)).sort((a, b) => a - b);
      if (missing.length > 0) {
        const prefix = timezoneCommands(await loadTimeSegments(m, missing));
        if (have.size === 0) {
          const holidays = await loadHolidays(m);
          if (holidays.length > 0) prefix.push(...holidayCommands(holidays));
        }
        commands.unshift(...prefix);
        sentTz.push(...missing.map((tzId) => ({ deviceId: device.id, tzId })));
      }
      batches.push({ deviceSn: device.sn, commands });
      await m.query(`INSERT INTO vis_registration_device (registration_id, device_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [registrationId, device.id]);
    }
    await markDeviceTimezones(m, sentTz);
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }

  async revoke(m: EntityManager, registrationId: string, pin: string): Promise<void> {
    const rows: Array<{ device_id: string }> = await m.query(`SELECT device_id FROM vis_registration_device WHERE registration_id = $1`, [registrationId]);
    const devices = await loadDevices(m, rows.map((r) => r.device_id), this.config.timeZone);
    await m.query(`DELETE FROM vis_registration_device WHERE registration_id = $1`, [registrationId]);
    const batches = [...devices.values()]
      .sort((a, b) => a.sn.localeCompare(b.sn))
      .map((d) => ({ deviceSn: d.sn, commands: visitorRemovalCommands(d, pin) }));
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }
}
