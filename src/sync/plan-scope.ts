import type { EntityManager } from 'typeorm';
import type { CommandQueueService } from '../push/command-queue.service';
import { readTogether, type Read, type Results } from '../database/read-together';

/**
 * Takes the order locks (rule (f) of the command queue) of the devices a plan covers BEFORE anything they should
 * hold is read; they are held until commit. Another transaction planning the same devices has then committed
 * before this one reads, so no plan rests on state changed since: without it, a grant planned from the rights
 * as they were before a concurrent revoke would be queued after that revoke, and the device would keep access
 * the database withdrew (test/sync/plan-race.e2e-spec.ts).
 *
 * Then it runs the plan's first reads (`reads`, for the devices as they stand) in one round trip with `devicesNow`,
 * the scope read again now that the locks are held (a level given a door while this one waited); it is given the
 * SNs already planned, which it need not find again. Devices that
 * joined the scope are loaded and locked too, into `devices`, and the reads run again for all of them. Those
 * locks come after the first ones, so possibly against another writer's order: a deadlock is run again by
 * writeTransaction. Every other plan of these devices waits while this one holds the locks, so the reads share
 * their round trip.
 */
export async function lockPlanScope<D extends { sn: string }, T extends Record<string, Read<unknown>>>(
  queue: CommandQueueService,
  m: EntityManager,
  devices: Map<string, D>,
  devicesNow: ((planned: string[]) => Read<readonly string[]>) | undefined,
  load: (ids: string[]) => Promise<Map<string, D>>,
  reads: (devices: Map<string, D>) => T,
): Promise<Results<T>> {
  await queue.lockForOrder(m, [...devices.values()].map((d) => d.sn));
  for (;;) {
    const planned = [...devices.values()].map((d) => d.sn);
    const all = await readTogether(m, { ...reads(devices), ...(devicesNow ? { [SCOPE]: devicesNow(planned) } : {}) } as T & Record<typeof SCOPE, Read<readonly string[]>>);
    if (!devicesNow) return all;
    const more = await load((all[SCOPE] as readonly string[]).filter((id) => !devices.has(id)));
    if (more.size === 0) return all;
    await queue.lockForOrder(m, [...more.values()].map((d) => d.sn));
    for (const [id, d] of more) devices.set(id, d);
  }
}

const SCOPE = '__scope';
