import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The machine's CPU time so far by kind, in seconds summed over every core (the `cpu` line of /proc/stat). */
export interface MachineCpu {
  total: number;
  /** idle + iowait: time no process was running on a core. */
  idle: number;
  /** Hard and soft interrupts: on loopback traffic, mostly the network's receive path, charged to no process. */
  irq: number;
}

/** Read before and after a phase (Linux); undefined elsewhere. */
export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu user nice system idle iowait irq softirq steal guest guest_nice, in USER_HZ (100) ticks
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const s = (n: number) => (n || 0) / 100;
    return { total: s(user) + s(nice) + s(system) + s(idle) + s(iowait) + s(irq) + s(softirq) + s(steal), idle: s(idle) + s(iowait), irq: s(irq) + s(softirq) };
  } catch {
    return undefined;
  }
}

/**
 * Where the machine's cores went during a phase, in cores (of `cpus().length`): the server process, its database
 * backends and the load generator (their own CPU seconds ÷ the phase's seconds), interrupts, everything else
 * (other processes: on a shared machine, other people's work), and idle. A closed-loop phase that leaves cores
 * idle is waiting on itself (latency-bound), not short of CPU.
 */
export function coresLine(before: MachineCpu | undefined, after: MachineCpu | undefined, own: { server: number; pg: number; load: number }): string {
  if (!before || !after) return '';
  const n = cpus().length;
  const seconds = (after.total - before.total) / n;
  if (!(seconds > 0)) return '';
  const c = (x: number) => (Number.isFinite(x) ? x / seconds : 0);
  const idle = c(after.idle - before.idle);
  const irq = c(after.irq - before.irq);
  const server = c(own.server), pg = c(own.pg), load = c(own.load);
  const other = Math.max(0, n - idle - irq - server - pg - load);
  const f = (x: number) => x.toFixed(2);
  return `cores of ${n}: server ${f(server)}, PostgreSQL ${f(pg)}, load generator ${f(load)}, interrupts ${f(irq)}, other ${f(other)}, idle ${f(idle)}`;
}
