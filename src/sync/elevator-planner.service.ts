import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ModuleKind } from './module-rights';
import { SyncPlannerService, type SyncOptions } from './sync-planner.service';
import { levelDevices } from './sync-queries';

/**
 * The entry points of the elevator and entrance-control write paths (levels, their persons, floors) into the
 * one planner. Elevator and channel controllers are items of the same desired-vs-confirmed diff as access
 * panels (their rights come from module-rights.ts; an elevator controller holds them as `eleauth` items in
 * `usereleauthorize`): confirmed only from Return codes, retried with backoff, fully synced when owed.
 */
@Injectable()
export class ElevatorPlannerService {
  constructor(private readonly planner: SyncPlannerService) {}

  /** These persons on every elevator and channel controller (and any device) that holds or should hold them. */
  syncPersons(m: EntityManager, personIds: string[], opts: SyncOptions = {}): Promise<void> {
    return this.planner.syncPersons(m, personIds, opts);
  }

  /**
   * An elevator or entrance-control level changed or was asked to sync: its members (persons, and checked-in
   * visitors of whom it is a visitor level), wherever they are or should be (a point taken out of the level is
   * removed from the controller that held it). `before`: the controllers its points were on before this write, which
   * lose its time zone when no other level there uses it (members or not).
   */
  async syncLevel(m: EntityManager, module: ModuleKind, levelId: string, opts: SyncOptions = {}, before: readonly string[] = []): Promise<void> {
    const members: Array<{ pin: string }> = await m.query(
      `SELECT p.pin FROM ${module}_level_person lp JOIN person p ON p.id = lp.person_id WHERE lp.level_id = $1
       UNION SELECT r.visitor_pin FROM vis_registration_level rl JOIN vis_registration r ON r.id = rl.registration_id AND r.state = 'in' WHERE rl.level_id = $1`,
      [levelId],
    );
    // The level's time zone may be new on its controllers even with no member.
    const devices = await levelDevices(m, module, [levelId]);
    for (const d of new Set([...devices, ...before])) await this.planner.reconcileDevice(m, d, []);
    if (members.length > 0) await this.planner.syncPins(m, members.map((r) => r.pin), { ...opts, forceOn: devices });
  }

  /** A controller's points changed (floors removed): everything it should hold against what it confirmed. */
  syncDevice(m: EntityManager, deviceId: string): Promise<void> {
    return this.planner.reconcileDevice(m, deviceId, null);
  }
}
