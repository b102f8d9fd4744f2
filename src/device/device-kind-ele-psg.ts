/**
 * Detection rules for elevator controllers ('ele') and channel controllers ('psg'), used by device-kind.ts.
 * Pure. The manual names no machine type for either (Appendix 7 lists access panels only), so the evidence is
 * what only these devices say:
 *
 * - elevator: AccSupportFunList positions 52-56 or 58 (elevator expansion board, direct floor access,
 *   emergency recovery, elevator privilege groups, elevator optimisation, negative floors; position 57, the
 *   voice module, is not decisive), the elevator voice-module parameters (`VoiceModuleType`, 4.6), or a model
 *   name of ZKTeco's elevator controllers (EC10, EC16, EC-100);
 * - channel: an upload of `table=irstate` (7.14, "only supported by the channel controller"), the Appendix 20
 *   parameters only a channel controller has (`PassWay*`, `Motor*`, `PassMode`, `GateType`), or a model name
 *   of ZKTeco's gate controllers (PGIC…, InBio-PGates).
 */

type Params = Record<string, string> | undefined;

/** Keys without the `~` prefix, values as sent. */
function keys(p: Params): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(p ?? {})) out.set(k.replace(/^~/, '').toLowerCase(), String(v ?? ''));
  return out;
}

/** Positions of AccSupportFunList set to 1 (position 0 = left-most character). */
export function funListPositions(raw: string | undefined): Set<number> {
  const out = new Set<number>();
  if (!raw) return out;
  const s = raw.trim();
  for (let i = 0; i < s.length; i++) if (s[i] === '1') out.add(i);
  return out;
}

const ELEVATOR_FUN_POSITIONS = [52, 53, 54, 55, 56, 58];
const ELEVATOR_MODEL = /^(EC\s*-?\s*\d+|ZK-?EC\d+)/i;
const CHANNEL_MODEL = /(PGIC|P-?GATES?\b|InBio-?PGates)/i;
const CHANNEL_KEYS = /^(passway\w*|motor\w*|passmode|gatetype|tzpassmodeon|passunmannedrange|passclosedelay\w*)$/;

function modelNames(k: Map<string, string>): string[] {
  return ['devicetype', 'devicename', 'platform'].map((n) => k.get(n) ?? '').filter(Boolean);
}

/** Parameters from the handshake or the registration say "elevator controller". */
export function isElevatorEvidence(p: Params): boolean {
  const k = keys(p);
  const fun = funListPositions(k.get('accsupportfunlist'));
  if (ELEVATOR_FUN_POSITIONS.some((n) => fun.has(n))) return true;
  if (k.has('voicemoduletype')) return true;
  return modelNames(k).some((m) => ELEVATOR_MODEL.test(m.trim()));
}

/** Parameters from the handshake or the registration say "channel controller". */
export function isChannelEvidence(p: Params): boolean {
  const k = keys(p);
  if ([...k.keys()].some((n) => CHANNEL_KEYS.test(n))) return true;
  return modelNames(k).some((m) => CHANNEL_MODEL.test(m));
}

/** Upload tables only a channel controller sends. */
export function isChannelUploadTable(table: string | undefined): boolean {
  return (table ?? '').toLowerCase() === 'irstate';
}
