import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SyncPlannerService } from '../sync/sync-planner.service';

/**
 * The device side of a visit, always inside the caller's transaction and always through the planner (a
 * checked-in visitor is a member like a person, with the visit window as validity): check-in puts the
 * visitor where their visitor levels reach, check-out and expiry take them off wherever they are.
 */
@Injectable()
export class VisitorDevicesService {
  constructor(private readonly planner: SyncPlannerService) {}

  async grant(m: EntityManager, registrationId: string): Promise<void> {
    const [reg]: Array<{ visitor_pin: string }> = await m.query(`SELECT visitor_pin FROM vis_registration WHERE id = $1`, [registrationId]);
    if (reg) await this.planner.syncPins(m, [reg.visitor_pin]);
  }

  /** Called after the visit left state `in`. */
  async revoke(m: EntityManager, _registrationId: string, pin: string): Promise<void> {
    await this.planner.syncPins(m, [pin]);
  }

  /** Several visits ended at once (the sweeper): one plan. */
  async revokeMany(m: EntityManager, pins: readonly string[]): Promise<void> {
    await this.planner.syncPins(m, pins);
  }
}
