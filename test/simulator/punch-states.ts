/**
 * The punch state the CLI's attendance terminal gives each punch: check-in (0) and check-out (1) in turn for
 * each person, as people punch. One state shared by every pin (as before) gave a person whose punches fell
 * between strangers' two check-ins in a row, where the README's walk-through promises them in turn.
 */
export class PunchStates {
  private readonly last = new Map<string, number>();

  next(pin: string): number {
    const status = this.last.get(pin) === 0 ? 1 : 0;
    this.last.set(pin, status);
    return status;
  }
}
