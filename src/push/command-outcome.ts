import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The final state of one device command, as the planner learns it. */
export interface CommandOutcome {
  deviceSn: string;
  /** device_command.id */
  commandId: string;
  /**
   * The head of the command text (without `C:<id>:`): its first OUTCOME_COMMAND_CHARS characters, which name
   * the command and its table. A command of 500 records is tens of kilobytes, and every result read it whole.
   */
  command: string;
  /** What the enqueuer attached (`enqueueMany(..., [{ command, ref }])`); null when nothing was. */
  ref: unknown;
  state: 'done' | 'failed';
  /** The device's Return; null when the command expired without one. */
  returnCode: number | null;
  /** 'returned': the device answered; 'expired': no result after the last delivery, or its result was lost behind later commands. */
  reason: 'returned' | 'expired';
}

/** How much of a command's text an outcome carries (CommandOutcome.command). */
export const OUTCOME_COMMAND_CHARS = 256;
/**
 * The head of the command text `command` (an SQL expression: device_command.command under the caller's alias),
 * as an outcome carries it. `substr` from the first character lets PostgreSQL fetch and decompress only the
 * start of a long, compressed text.
 */
export const outcomeCommandSql = (command: string): string => `substr(${command}, 1, ${OUTCOME_COMMAND_CHARS})`;

export type CommandOutcomeListener = (m: EntityManager, outcomes: CommandOutcome[]) => Promise<void>;

/**
 * Where the command queue reports final transitions (done via Return >= 0, failed via Return < 0, failed by
 * expiry). Listeners run inside the transaction that records those states, once per final transition: a
 * listener that throws rolls the transaction back (the results stay unrecorded; the device is told to send
 * them again), so what a listener writes commits exactly when the outcome does.
 */
@Injectable()
export class CommandOutcomeHub {
  private readonly listeners: CommandOutcomeListener[] = [];
  /** Listeners that act on what the others recorded (registerLast). */
  private readonly last: CommandOutcomeListener[] = [];

  /** Adds a listener; the returned function removes it. */
  register(listener: CommandOutcomeListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Adds a listener that runs after every `register` one, whatever the order modules start in: one that fails a
   * command just reported done (a terminal's ERRORLOG stored before its Return) must come after the confirmation the
   * done outcome wrote, or the confirmation would overwrite the failure.
   */
  registerLast(listener: CommandOutcomeListener): void {
    this.last.push(listener);
  }

  /** Called by the queue inside its transaction; listeners run one after the other, in registration order. */
  async emit(m: EntityManager, outcomes: CommandOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    for (const l of [...this.listeners, ...this.last]) await l(m, outcomes);
  }
}
