import type { RefusalProbe } from './device-refusals';

/**
 * Tunables of the device side. One mutable object per app (provided by PushModule as PUSH_SETTINGS), so a
 * test or a bench can shorten the timings on a running gateway: `app.get(PUSH_SETTINGS).ackTimeoutMs = 500`.
 */
export interface PushSettings {
  /** RequestDelay sent to devices: seconds between getrequest polls. */
  requestDelay: number;
  /** ErrorDelay sent to devices: seconds before reconnecting after a network error. */
  errorDelay: number;
  /** A device's online window is max(3 × RequestDelay, this floor); it is offline once silent past it and a tenth (online-window.ts). */
  onlineFloorMs: number;
  /** A delivered command without a result is offered again (with a new CmdID) after this long (DEVICE_COMMAND_TIMEOUT). */
  ackTimeoutMs: number;
  /**
   * A device polling again this long after a delivery it has not fully answered lost the reply (or its results):
   * the unanswered commands are offered again at that poll, not after ackTimeoutMs (DEVICE_LOST_REPLY_MS; 0 = off).
   */
  lostReplyMs: number;
  /** Deliveries per command; after the last one times out the command fails. */
  maxAttempts: number;
  /** Commands per getrequest reply. */
  maxCommandsPerReply: number;
  /** UTF-8 bytes per getrequest reply (a first command larger than this still goes alone). */
  replyByteBudget: number;
  /** How often the in-memory last-seen times are written to device.last_seen_at. */
  lastSeenFlushMs: number;
  /**
   * How long a remote action (CONTROL DEVICE: open a door, a floor, a gate) may still be handed out after it was
   * queued (DEVICE_ACTION_VALID_SECONDS; 0 = no limit): a panel that comes back later does not run it.
   */
  actionValidMs: number;
  /**
   * How long a REST remote action waits for the device's Return before answering (DEVICE_ACTION_WAIT_MS; 0 = answer
   * once queued). The wait holds no transaction: it reads the command's state until it is final or time is up.
   */
  actionWaitMs: number;
  /** When a refusal for good is probed again (SYNC_REFUSAL_PROBE_MS, SYNC_REFUSAL_PROBE_MAX_MS; device-refusals.ts). */
  refusalProbe: RefusalProbe;
  /**
   * A terminal whose records were cleared and that has not read the initialisation handing it Stamp 0 this long
   * after its CHECK (refused, lost) is sent CHECK again (attendance-terminal.service.ts, wantsCheck).
   */
  clearedCheckAgainMs: number;
}

export const PUSH_SETTINGS = Symbol('PUSH_SETTINGS');

export function defaultPushSettings(): PushSettings {
  return {
    requestDelay: 5,
    errorDelay: 30,
    onlineFloorMs: 30_000,
    ackTimeoutMs: 60_000,
    lostReplyMs: 2_500,
    maxAttempts: 3,
    maxCommandsPerReply: 50,
    replyByteBudget: 256 * 1024,
    lastSeenFlushMs: 5_000,
    actionValidMs: 60_000,
    actionWaitMs: 0,
    refusalProbe: { baseMs: 60_000, maxMs: 86_400_000 },
    clearedCheckAgainMs: 5 * 60_000,
  };
}
