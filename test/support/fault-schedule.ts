/**
 * What the seeded fault schedules share (test/sync and test/attendance seeded-fault-schedules): a deterministic
 * generator, so that a seed names one schedule for good, and a network that resets connections on demand.
 */
import { expect } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import type { FetchLike } from '../simulator/http';

/** mulberry32: small, deterministic, and the same draws on every machine. */
export function scheduleRng(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}

/**
 * A network between a device and the gateway that resets connections on demand: the next request whose URL holds
 * `match` is cut `before` the gateway read it (nothing happened there), or `after` it answered (the gateway acted;
 * the device saw a reset). SCHEDULE_TRACE=1 prints every exchange but plain polls.
 */
export class ResettingNet {
  private plan: Array<{ match: string; when: 'before' | 'after' }> = [];
  next(match: string, when: 'before' | 'after'): void {
    this.plan.push({ match, when });
  }
  clear(): void {
    this.plan = [];
  }
  fetch: FetchLike = async (url, init) => {
    const i = this.plan.findIndex((p) => url.includes(p.match));
    const cut = i >= 0 ? this.plan.splice(i, 1)[0] : undefined;
    const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    if (cut?.when === 'before') throw reset();
    const res = await (globalThis.fetch as unknown as FetchLike)(url, init);
    if (!process.env.SCHEDULE_TRACE && cut?.when !== 'after') return res;
    const text = await res.text();
    if (process.env.SCHEDULE_TRACE && (!url.includes('getrequest') || url.includes('INFO=') || text.trim() !== 'OK')) {
      const body = Buffer.from(init?.body ?? []).toString().replace(/\s+/g, ' ').slice(0, 200);
      console.log(`${init?.method} ${url.replace(/^.*\/iclock/, '')} ${body} => ${res.status} ${text.replace(/\s+/g, ' ').slice(0, 120)}${cut ? ' [RESET]' : ''}`);
    }
    if (cut?.when === 'after') throw reset();
    return { status: res.status, headers: res.headers, text: async () => text };
  };
}

/** A device call that may meet a reset: the device shrugs it off and carries on at its next poll, as firmware does. */
export async function tolerant<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (/ECONNRESET/.test(String((e as Error).message))) return undefined;
    throw e;
  }
}

/** The device faults every seeded schedule draws, as `scheduleRng` draws them; `none` does nothing. */
export const DEVICE_FAULTS = ['lose', 'resetPollAfter', 'resetCmdBefore', 'resetCmdAfter', 'refuse', 'hold', 'drop', 'concurrent', 'reboot', 'wipe', 'forget'] as const;
export type DeviceFault = (typeof DEVICE_FAULTS)[number];

/**
 * Plays one of DEVICE_FAULTS on a Security PUSH device: a getrequest reply lost, a connection reset at a poll or a
 * devicecmd, DATA commands refused, results held and posted last one first, results never posted (power cut), two
 * polls at once, a factory reset registering again or in place (its clock restarting on a drawn day), a user
 * deleted at its menu.
 */
export async function playDeviceFault(what: DeviceFault, d: DeviceSimulator, net: ResettingNet, r: ReturnType<typeof scheduleRng>, pins: readonly string[]): Promise<void> {
  switch (what) {
    case 'lose':
      return d.loseNextReply();
    case 'resetPollAfter':
      return net.next('/iclock/getrequest', 'after');
    case 'resetCmdBefore':
      return net.next('/iclock/devicecmd', 'before');
    case 'resetCmdAfter':
      return net.next('/iclock/devicecmd', 'after');
    case 'refuse':
      d.failCommands((c) => !!c.verb?.startsWith('DATA'), r.pick([-1002, -12]), 1 + r.int(2));
      return;
    case 'hold':
      d.holdResults();
      await tolerant(d.poll());
      d.stopHoldingResults();
      for (const x of [...d.pendingAcks].reverse()) await tolerant(d.releaseResults((y) => y.id === x.id));
      return;
    case 'drop':
      // Executed, and the results never leave the device (power cut before it posted them).
      d.holdResults();
      await tolerant(d.poll());
      d.stopHoldingResults();
      d.dropHeldResults();
      return;
    case 'concurrent':
      await tolerant(d.pollConcurrently(2));
      return;
    case 'reboot':
      expect((await d.factoryReset()).registered).toBe(true);
      return;
    case 'wipe':
      expect((await d.factoryResetInPlace(new Date(Date.UTC(2027, 0, 1 + r.int(300), 10)))).status).toBe(200);
      return;
    case 'forget':
      d.deleteUserLocally(r.pick(pins));
      return;
  }
}
