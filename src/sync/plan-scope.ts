import type { EntityManager } from 'typeorm';
import type { CommandQueueService } from '../push/command-queue.service';

/**
 * Takes the order locks (rule (f) of the command queue) of the devices a plan covers BEFORE anything they should
 * hold is read; they are held until commit. Another transaction planning the same devices has then committed
 * before this one reads, so no plan rests on state changed since: without it, a grant planned from the rights
 * as they were before a concurrent revoke would be queued after that revoke, and the device would keep access
 * the database withdrew (test/sync/plan-race.e2e-spec.ts).
 *
 * `devicesNow` reads the scope again once the locks are held (a level given a door while this one waited);
 * devices that joined it are loaded and locked too, into `devices`. Those locks come after the first ones, so
 * possibly against another writer's order: a deadlock is run again by writeTransaction.
 */
export async function lockPlanScope<D extends { sn: string }>(
  queue: CommandQueueService,
  m: EntityManager,
  devices: Map<string, D>,
  devicesNow: (() => Promise<readonly string[]>) | undefined,
  load: (ids: string[]) => Promise<Map<string, D>>,
): Promise<void> {
  await queue.lockForOrder(m, [...devices.values()].map((d) => d.sn));
  if (!devicesNow) return;
  const more = await load((await devicesNow()).filter((id) => !devices.has(id)));
  await queue.lockForOrder(m, [...more.values()].map((d) => d.sn));
  for (const [id, d] of more) devices.set(id, d);
}
