import { eventInfo } from './protocol';

/**
 * The names CVSecurity gives access events in its API (`eventName`), which are not the Security PUSH manual's
 * descriptions of the same codes: 2.18 answers "Normal Verify Open" for event 0 where the protocol's Appendix
 * says "The door opens normally after verification", and integrators filter on the name (payroll and
 * attendance bridges keep only `eventName === 'Normal Verify Open'`).
 *
 * Where the REST manual pairs a code with a name, its name is used (0 in ten examples of 2.18; 8 "remote
 * opening" in 2.18.10, eventNo shown; 27 "card is not registered" in 2.18.5, an unregistered card; 206 and 214
 * as 2.19 names them). The other codes carry the vendor's English names of the same ZKTeco event table (its
 * PUSH SDK's event descriptions); a code neither lists keeps the protocol manual's description.
 */
const ACC_EVENT_NAMES: Readonly<Record<number, string>> = {
  0: 'Normal Verify Open',
  1: 'Verify During Passage Mode Time Zone',
  2: 'First-Personnel Open',
  3: 'Multi-Personnel Open',
  4: 'Emergency Password Open',
  5: 'Open during Passage Mode Time Zone',
  6: 'Linkage Event Triggered',
  7: 'Cancel Alarm',
  8: 'remote opening',
  9: 'Remote Closing',
  10: 'Disable Normal Open',
  11: 'Enable Normal Open',
  12: 'Auxiliary Output Remotely Open',
  13: 'Auxiliary Output Remotely Close',
  20: 'Operate Interval too Short',
  21: 'Door Inactive Time Zone Verify Open',
  22: 'Illegal Time Zone',
  23: 'Access Denied',
  24: 'Anti-Passback',
  25: 'Interlock',
  26: 'Multi-Personnel Authentication Wait',
  27: 'card is not registered',
  28: 'Open Door Timeout',
  29: 'Personnel Expired',
  36: 'Door Inactive Time Zone(Press Exit Button)',
  37: 'Failed to Close during Passage Mode Time Zone',
  38: 'Card Reported Lost',
  39: 'Blacklisted',
  41: 'Verify Mode Error',
  42: 'Wiegand Format Error',
  44: 'Background Verify Failed',
  45: 'Background Verify Timed Out',
  48: 'Multi-Personnel Verify Failed',
  100: 'Tamper alarm',
  101: 'Duress Open Alarm',
  102: 'Opened Forcefully',
  105: 'Can not connect to server',
  200: 'Door Opened Correctly',
  201: 'Door Closed Correctly',
  202: 'Exit Button Open',
  204: 'Passage Mode Time Zone Over',
  205: 'Remote Normal Opening',
  206: 'Device Started',
  208: 'Superuser Open Doors',
  209: 'Exit Button triggered(Without Unlock)',
  214: 'Connect to Server',
  220: 'Auxiliary Input Disconnected',
  221: 'Auxiliary Input Shorted',
  222: 'Background Verification Success',
  223: 'Background Verification',
  700: 'Lost Connect',
};

/**
 * Codes the protocol manual's current descriptions merge under one wording ("The event codes 2, 18, and 19 are
 * merged and have the same meaning"): 18 and 19 both read "The first user opens the door", 30 and 34 "The user is
 * not registered"… An operator picking one event in a filter, or reading which one happened, needs them apart, as
 * CVSecurity's event list has them; each keeps the same appendix's own description of that code (its older
 * column: what credential the event was for), so every code has a name of its own.
 */
const MERGED_EVENT_NAMES: Readonly<Record<number, string>> = {
  15: 'Multiple users open the door by fingerprint',
  18: 'The first user opens the door by fingerprint',
  19: 'The first user opens the door by card and fingerprint',
  30: 'The password is incorrect',
  31: 'The fingerprint check interval is too short',
  32: 'Multiple users perform verification by fingerprint',
  33: 'The fingerprint expires',
  34: 'The fingerprint is not registered',
  35: 'Check the fingerprint during the non-valid time period',
  40: 'Multi-user verification by fingerprint failed',
  49: 'Open the door by password during the non-valid time period',
  50: 'The password verification interval is too short',
  51: 'Multiple users perform verification by password',
  52: 'Multi-user verification by password failed',
  53: 'The password expires',
  203: 'Multiple users open the door by card and fingerprint',
  // The manual (Appendix 2, both columns) and its digest spell 68 "High bogy temperature": a typo for body.
  68: 'High body temperature -Access Denied',
};

/**
 * Codes a channel controller uses in another sense than an access panel, as 2.34 names them: 110 is the panels'
 * "Read head offline alarm" in the device tables, on an entrance-control device the gate that is not connected
 * (2.34.2-2.34.5); 700 is "Connection abort" (2.34.7).
 */
const PSG_EVENT_NAMES: Readonly<Record<number, string>> = { 110: 'The Gate is not connected', 700: 'Connection abort' };

/**
 * A code no table names (a newer firmware's event): CVSecurity registers it as a new event type whose name is
 * the untranslated key `acc_newEventNo_<code>`, and its API serves that key as `eventName` (2.26.1's example,
 * event 68 before CVSecurity named it: "acc_newEventNo_68"). Never null: clients read eventName as a string.
 */
export const newEventName = (code: number): string => `acc_newEventNo_${code}`;

/** `eventName` of an event `code` of module `acc` (panels), `ele` (elevator) or `psg` (channel controllers). */
export function cvsEventName(code: number, module: 'acc' | 'ele' | 'psg' = 'acc'): string {
  return (module === 'psg' ? PSG_EVENT_NAMES[code] : undefined) ?? ACC_EVENT_NAMES[code] ?? MERGED_EVENT_NAMES[code] ?? eventInfo(code)?.name ?? newEventName(code);
}
