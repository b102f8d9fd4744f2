/**
 * When a device counts as online: one rule for every reader of it (device lists and device/get, the console, the
 * metrics gauges, remote actions refused for an offline device, the SN conflict check, the sync verifier) and for
 * the attendance terminals' gap recovery, so that a device the status calls online is never also "back after an
 * outage", nor the reverse.
 *
 * The window is max(3 × RequestDelay, the floor, 30 s by default); a device is offline once silent for longer than
 * the window and a tenth of it (33 s by default). The tenth is for the terminals: they idle-poll every 30 s whatever
 * Delay they are handed, a second late at times (field samples hdr-mb160-getrequest, poll-aiface-adaptive:
 * 17:08:44, 17:09:15, 17:09:45), and against the bare window such a terminal read offline for a second every cycle.
 * A device really gone is silent longer: its failed request, then ErrorDelay (30 s) before it tries again, so 35 s
 * and more for one polling at the 5 s Delay it is handed, 60 s for one idling at 30 s.
 *
 * A contact read from device.last_seen_at (another gateway process had it: each writes its contacts there every
 * PushSettings.lastSeenFlushMs, 5 s) may be that much older than the device's real last contact: a reader going by
 * the stored time allows for it (`lagMs`), or a terminal polling another process every 31 s read offline there for
 * up to 5 s of each cycle. The process that had the contact reads it from its memory, without the lag.
 */

/** What the rule reads of the push settings. */
export interface OnlineSettings {
  /** The RequestDelay handed to devices (s), for a device without its own. */
  requestDelay: number;
  /** The floor of the window (ms). */
  onlineFloorMs: number;
}

/** The part of the window a device may be late by and still be online. */
export const ONLINE_SLACK = 0.1;

/** The online window (ms) of a device polling every `requestDelay` s (null: the one it is handed). */
export function onlineWindowMs(requestDelay: number | null | undefined, s: OnlineSettings): number {
  return Math.max(3 * (requestDelay ?? s.requestDelay) * 1000, s.onlineFloorMs);
}

/**
 * Whether a device silent for `quietMs` since its last request is offline (gone, for gap recovery: an outage).
 * `lagMs`: how much older than the real last contact the one read may be (a stored one: the flush interval).
 */
export function silentPast(quietMs: number, windowMs: number, lagMs = 0): boolean {
  return quietMs > windowMs * (1 + ONLINE_SLACK) + lagMs;
}

/** The longest silence (ms) a device with this window is still online after. */
export function onlineLimitMs(windowMs: number): number {
  return windowMs * (1 + ONLINE_SLACK);
}
