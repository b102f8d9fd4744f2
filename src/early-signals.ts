/**
 * Loaded first by main.ts, before its other modules: until main() set its handlers a Ctrl-C or `docker stop` while
 * node loaded code killed the process by the signal (the shell read 130, systemd and Docker 143: a failure) without
 * a word, and node as a container's PID 1 ignored it. main.ts now loads only light modules before its handlers (Nest,
 * TypeORM and the rest, seconds on a busy machine, come after: loadGateway), but those still take a moment. These
 * listeners only keep the signal: node delivers it once the code has loaded, to the handlers main() has set by then
 * (their stop while starting: a clean exit, code 0).
 */
const keep = (): void => undefined;
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
for (const signal of SIGNALS) process.on(signal, keep);

/** Called once main() listens for the signals itself (so a signal is never left without a listener). */
export function releaseEarlySignals(): void {
  for (const signal of SIGNALS) process.off(signal, keep);
}
