import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { DeviceRegistryService, type DeviceRegisteredEvent } from '../push/device-registry.service';
import { ElevatorPlannerService } from '../sync/elevator-planner.service';
import { FloorService, reportedFloorCount } from './floor.service';

/**
 * A registered elevator controller gets its floors from what it reports (reportedFloorCount), and an elevator
 * or channel controller admitted for the first time gets everything it should hold (the planner's full
 * sync), as access panels do in SyncOnRegistration.
 */
@Injectable()
export class ElevatorRegistration implements OnModuleInit {
  private readonly logger = new Logger(ElevatorRegistration.name);

  constructor(
    private readonly registry: DeviceRegistryService,
    private readonly floors: FloorService,
    private readonly planner: ElevatorPlannerService,
    private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.onRegistered((e) => this.handle(e));
  }

  async handle(e: DeviceRegisteredEvent): Promise<void> {
    await this.ds.transaction(async (m) => {
      const [d] = await m.query(`SELECT ${effectiveKindSql('d')} AS kind, d.registration FROM device d WHERE d.id = $1`, [e.deviceId]);
      if (!d || (d.kind !== 'ele' && d.kind !== 'psg')) return;
      if (d.kind === 'ele') {
        const created = await this.floors.ensureFloors(m, e.deviceId, reportedFloorCount(d.registration), 'device');
        if (created > 0) this.logger.log(`elevator controller ${e.sn}: ${created} floors created from its registration`);
      }
      if (e.first || e.admittedNow) await this.planner.syncDevice(m, d.kind, e.deviceId);
    });
  }
}
