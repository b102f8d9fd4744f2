import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The final state of one queued command, handed to whoever queued it (with the `ref` it was queued with). */
export interface CommandOutcome {
  deviceSn: string;
  commandId: string;
  command: string;
  ref: unknown;
  state: 'done' | 'failed';
  returnCode: number | null;
  /** `returned`: the device answered; `expired`: no answer after the last delivery. */
  reason: 'returned' | 'expired';
}

export type CommandOutcomeListener = (m: EntityManager, outcomes: CommandOutcome[]) => Promise<void>;

/**
 * Where command outcomes go. The queue calls `emit` inside the transaction that records each command's final
 * state, once per command and in queue order, so a listener's writes (the planner's confirmed state) commit
 * or roll back with that state.
 */
@Injectable()
export class CommandOutcomeHub {
  private readonly log = new Logger('CommandOutcome');
  private readonly listeners: CommandOutcomeListener[] = [];

  register(listener: CommandOutcomeListener): void {
    this.listeners.push(listener);
  }

  async emit(m: EntityManager, outcomes: CommandOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const ordered = [...outcomes].sort((a, b) => (BigInt(a.commandId) < BigInt(b.commandId) ? -1 : 1));
    for (const fn of this.listeners) await fn(m, ordered);
    this.log.debug?.(`${ordered.length} outcomes handed to ${this.listeners.length} listeners`);
  }
}
