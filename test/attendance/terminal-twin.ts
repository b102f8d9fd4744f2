/**
 * An attendance terminal as a twin hunt drives a device (test/sync/twin-hunt.ts TwinDevice): every poll carries INFO
 * (its counts, as firmware polling with INFO does), a reboot initialises it again and polls, as does a factory reset;
 * a refusal matches a command's first two words (`DATA UPDATE`, `DATA DELETE`).
 */
import type { TwinDevice } from '../sync/twin-hunt';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';

export class TerminalTwin implements TwinDevice {
  constructor(readonly term: AttendanceTerminal) {}

  get sn(): string {
    return this.term.sn;
  }

  get pendingAcks(): ReadonlyArray<{ id: string }> {
    return this.term.pendingAcks;
  }

  poll(): Promise<unknown[]> {
    return this.term.poll(true);
  }

  async pollUntilIdle(opts: { maxPolls?: number }): Promise<unknown[]> {
    const all: unknown[] = [];
    for (let i = 0; i < (opts.maxPolls ?? 50); i++) {
      const got = await this.poll();
      if (got.length === 0) break;
      all.push(...got);
    }
    return all;
  }

  loseNextReply(): void {
    this.term.loseNextReply();
  }

  loseNoMoreReplies(): void {
    this.term.loseNoMoreReplies();
  }

  connect(): Promise<{ registered: boolean }> {
    return this.boot(() => this.term.init());
  }

  factoryReset(): Promise<{ registered: boolean }> {
    return this.boot(() => this.term.factoryReset());
  }

  private async boot(init: () => Promise<boolean>): Promise<{ registered: boolean }> {
    const registered = await init();
    if (registered) await this.poll();
    return { registered };
  }

  holdResults(): void {
    this.term.holdResults();
  }

  stopHoldingResults(): void {
    this.term.stopHoldingResults();
  }

  /** Posts the held results `which` selects (late); the others stay held. */
  async releaseResults(which: (r: { id: string }) => boolean): Promise<unknown> {
    const held = this.term.pendingAcks.splice(0);
    this.term.pendingAcks.push(...held.filter(which));
    const out = await this.term.releaseResults();
    this.term.pendingAcks.push(...held.filter((x) => !which(x)));
    return out;
  }

  dropHeldResults(): unknown {
    return this.term.dropHeldResults();
  }

  failCommands(match: (c: { verb: string | null }) => boolean, code: number, times: 'always'): unknown {
    return this.term.failCommands((c) => match({ verb: c.split(' ').slice(0, 2).join(' ') }), code, times);
  }

  /** Its tables as rows of text: users, templates (any table), photos. */
  snapshot(): Record<string, string[]> {
    const { term } = this;
    const users = [...term.users.values()].map((u) => [u.pin, u.name, u.pri, u.passwd, u.card, u.grp, u.tz, u.verify, u.viceCard ?? ''].join(' '));
    const field = (f: Record<string, string>, k: string) => Object.entries(f).find(([x]) => x.toLowerCase() === k.toLowerCase())?.[1] ?? '';
    const templates = term.templates.map((x) => `pin=${x.pin} ${x.table} ${['Type', 'No', 'FID', 'Index', 'Valid', 'Duress'].map((k) => field(x.fields, k)).join('.')} ${field(x.fields, 'Tmp')}`);
    const photos = [...term.photos].map(([pin, p]) => `pin=${pin} ${p.table} ${p.content}`);
    return { users: users.map((u) => `pin=${u}`).sort(), templates: templates.sort(), photos: photos.sort() };
  }
}
