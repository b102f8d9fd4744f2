import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { DeviceRegistryService, type DeviceRegisteredEvent } from '../push/device-registry.service';
import { SyncPlannerService } from './sync-planner.service';

/**
 * A device admitted for the first time (auto admission or approval) gets everything it should hold
 * (design.md point 3: "a device (re)registered"). A device none of whose doors is in a level, while no
 * holiday exists, has nothing to receive and gets nothing, so a bare new device's queue stays empty.
 */
@Injectable()
export class SyncOnRegistration implements OnModuleInit {
  constructor(
    private readonly registry: DeviceRegistryService,
    private readonly planner: SyncPlannerService,
    private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.onRegistered((e) => this.handle(e));
  }

  async handle(e: DeviceRegisteredEvent): Promise<void> {
    if (!e.first && !e.admittedNow) return;
    await this.ds.transaction(async (m) => {
      const [{ needed }] = await m.query(
        // Elevator and channel controllers are planned by ElevatorPlannerService (their rights tables differ).
        `SELECT (EXISTS (SELECT 1 FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE d.device_id = $1)
             OR EXISTS (SELECT 1 FROM holiday))
            AND NOT EXISTS (SELECT 1 FROM device v WHERE v.id = $1 AND ${effectiveKindSql('v')} IN ('ele', 'psg')) AS needed`,
        [e.deviceId],
      );
      if (needed) await this.planner.syncDeviceFull(m, e.deviceId);
    });
  }
}
