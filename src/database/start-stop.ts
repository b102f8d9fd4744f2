/**
 * The gateway was asked to stop (SIGTERM, SIGINT) before it was ready. Thrown at the start's safe points: before
 * and after the embedded database's start, between migration statements (the migrations' one transaction is
 * then rolled back), so nothing half-done is left and the next start begins again where this one began.
 */
export class StartStoppedError extends Error {
  constructor(readonly signalName: string) {
    super(`stopped by ${signalName} before the gateway was ready`);
  }
}

/** Throws the stop `signal` was aborted with (a StartStoppedError), if it was. */
export function stopPoint(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof StartStoppedError ? signal.reason : new StartStoppedError(String(signal.reason));
}
