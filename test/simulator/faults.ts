/**
 * The fault machinery every simulated device shares (README "Faults"): lost getrequest replies, commands
 * answered with a chosen negative Return, and results held back. `C` is what the device matches commands on
 * (the access panel's parsed command, a terminal's command text). Devices own the wiring (where a reply is
 * lost, where a code replaces execution, where a result waits); this class only decides.
 */

/** A `failCommands` fault: commands `match` selects are answered with `code`, `times` times (or always). */
export interface CommandFault<C> {
  match: (c: C) => boolean;
  code: number;
  times: number | 'always';
  /** Commands answered so far. */
  used: number;
}

export class FaultPlan<C> {
  /** Getrequest replies the device never saw: the server handed them out, the device got nothing. */
  readonly lostReplies: string[] = [];
  private repliesToLose = 0;
  private readonly faults: CommandFault<C>[] = [];
  private holdMatch: ((c: C) => boolean) | null = null;

  /** The next `n` getrequest replies that carry commands are lost on the way: the server believes them delivered. */
  loseNextReply(n = 1): void {
    this.repliesToLose += n;
  }

  /** No more replies are lost (the losses asked for and not yet used are dropped). */
  loseNoMoreReplies(): void {
    this.repliesToLose = 0;
  }

  /** Whether a getrequest reply with this body is lost (then kept in `lostReplies`). A bare `OK` is never lost. */
  loses(body: string): boolean {
    if (this.repliesToLose <= 0 || body.trim() === 'OK') return false;
    this.repliesToLose--;
    this.lostReplies.push(body);
    return true;
  }

  /**
   * Answer the commands `match` selects with `code` (not executed) `times` times (default once), or 'always'.
   * Faults are tried in the order they were added; the first with uses left applies.
   */
  failCommands(match: (c: C) => boolean, code: number, times: number | 'always' = 1): CommandFault<C> {
    const f: CommandFault<C> = { match, code, times, used: 0 };
    this.faults.push(f);
    return f;
  }

  clearFaults(): void {
    this.faults.splice(0);
  }

  /** The Return a fault forces for this command (counting one use), or undefined: execute it. */
  forcedCode(c: C): number | undefined {
    const fault = this.faults.find((f) => (f.times === 'always' || f.used < f.times) && f.match(c));
    if (!fault) return undefined;
    fault.used++;
    return fault.code;
  }

  /** Execute but hold the results of the commands `match` selects (all when omitted). */
  holdResults(match: (c: C) => boolean = () => true): void {
    this.holdMatch = match;
  }

  stopHoldingResults(): void {
    this.holdMatch = null;
  }

  holds(c: C): boolean {
    return !!this.holdMatch?.(c);
  }
}
