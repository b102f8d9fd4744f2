/**
 * The Push Center's timings for the gateway a test is about to start (read from PUSH_CENTER_* by loadConfig):
 * short backoffs so that retries happen within a test.
 */
export function setPushCenterTimings(t: { retryBaseMs: number; retryMaxMs: number; pollMs: number }): void {
  process.env.PUSH_CENTER_RETRY_BASE_MS = String(t.retryBaseMs);
  process.env.PUSH_CENTER_RETRY_MAX_MS = String(t.retryMaxMs);
  process.env.PUSH_CENTER_POLL_MS = String(t.pollMs);
}
