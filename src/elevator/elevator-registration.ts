import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { DeviceRegistryService, type DeviceRegisteredEvent } from '../push/device-registry.service';
import { FloorService, reportedFloorCount, statedFloorOutputs } from './floor.service';

/**
 * A registered elevator controller gets its floors from what it reports (reportedFloorCount), in the
 * registration's transaction. What it should hold is sent as owed work like for every device: the
 * reconciler's full sync (SyncReconciler.owe → SyncPlannerService.syncDeviceFull), which hands elevator and
 * channel controllers to ElevatorPlannerService.
 */
@Injectable()
export class ElevatorRegistration implements OnModuleInit {
  private readonly logger = new Logger(ElevatorRegistration.name);

  constructor(
    private readonly registry: DeviceRegistryService,
    private readonly floors: FloorService,
  ) {}

  onModuleInit(): void {
    this.registry.onRegisteredInTransaction((m, e) => this.handle(m, e));
    // A device found to be an elevator controller after it registered (or set to one by an operator) gets its floors now.
    this.registry.onKindChangedInTransaction((m, e) => (e.after === 'ele' ? this.handle(m, { deviceId: e.deviceId, sn: e.sn, first: false, admittedNow: false }) : Promise.resolve()));
  }

  async handle(m: EntityManager, e: DeviceRegisteredEvent): Promise<void> {
    const [d] = await m.query(`SELECT ${effectiveKindSql('d')} AS kind, d.registration FROM device d WHERE d.id = $1`, [e.deviceId]);
    if (!d || d.kind !== 'ele') return;
    // Floors an operator declared (expansion boards the firmware does not report, fewer relays wired) stand: the
    // registration, repeated at every reconnect, would otherwise bring back the floors the declaration removed.
    if (await this.floors.floorsDeclared(m, e.deviceId)) return;
    // Fewer floors reported (an expansion board taken out): the floors above are set aside, and their rights with them.
    const stated = statedFloorOutputs(d.registration);
    const { created, restored, dropped } = await this.floors.followReported(m, e.deviceId, reportedFloorCount(d.registration), stated);
    if (created > 0) this.logger.log(`elevator controller ${e.sn}: ${created} floors created from its registration`);
    if (restored > 0) this.logger.log(`elevator controller ${e.sn}: ${restored} floors reported again`);
    if (dropped > 0) this.logger.warn(`elevator controller ${e.sn} registered with ${stated} floor outputs: ${dropped} floor(s) above set aside`);
  }
}
