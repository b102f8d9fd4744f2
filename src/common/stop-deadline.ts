/**
 * How long a running gateway's stop (SIGTERM, SIGINT) may take before the process exits anyway (exit code 1).
 * A supervisor's grace period must be longer, or it kills the gateway midway: Docker's `--stop-timeout` and
 * compose's `stop_grace_period` (test/foundation/docker-build-context.spec.ts checks both).
 */
export const STOP_DEADLINE_MS = 15_000;
