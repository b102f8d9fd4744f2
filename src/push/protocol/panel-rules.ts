/**
 * CVSecurity's Access > Advanced Functions, Interlock and Anti-Passback, as an access panel keeps them: one option
 * each (Security PUSH 9.5.1 `SET OPTIONS`, Appendix 12 `InterLock`, `AntiPassback`), whose value is a row of
 * Appendix 9 (interlock) or Appendix 8 (APB). Each value names doors (or readers, the APB's 16-240: reader n is door
 * n's readers, a bit each), so a panel takes only the values whose doors it has (its LockCount).
 *
 * The newer expanded tables (`DATA UPDATE TriggerList` / `AntiPassBack` / `InterLock`, 9.1.1) are the form of
 * firmware announcing AccSupportFunList position 66 ("new anti-passback and interlock rules"); C3/inBio panels
 * announce no such position and take only the options, which every Security PUSH panel keeps (Appendix 12).
 */
import { setOptions } from './commands';
import { ProtocolValueError } from './errors';

export type PanelRuleOption = 'InterLock' | 'AntiPassback';
export const PANEL_RULE_OPTIONS: readonly PanelRuleOption[] = ['AntiPassback', 'InterLock'];

/** One Appendix row: its value, what it says, and the highest door (or reader) number it names (0: none). */
export interface PanelRuleValue {
  value: number;
  label: string;
  doors: number;
}

/** Appendix 9 - Interlock Value. */
export const INTERLOCK_VALUES: readonly PanelRuleValue[] = [
  { value: 0, label: 'None', doors: 0 },
  { value: 1, label: 'Interlock between Door 1 and Door 2', doors: 2 },
  { value: 2, label: 'Interlock between Door 3 and Door 4', doors: 4 },
  { value: 3, label: 'Interlock among Door 1, Door 2, and Door 3', doors: 3 },
  { value: 4, label: 'Interlock between Door 1 and Door 2, or between Door 3 and Door 4', doors: 4 },
  { value: 5, label: 'Interlock among Door 1, Door 2, Door 3, and Door 4', doors: 4 },
];

/** The APB's reader values: bit 16 << (n-1) for reader n (Appendix 8's 16-240). */
function readerValues(): PanelRuleValue[] {
  const out: PanelRuleValue[] = [];
  for (let mask = 1; mask < 16; mask++) {
    const readers = [1, 2, 3, 4].filter((n) => mask & (1 << (n - 1)));
    const label = readers.length === 1 ? `APB between readers ${readers[0]}` : `APB between each two of readers ${readers.slice(0, -1).join(', ')} and ${readers.at(-1)} respectively`;
    out.push({ value: mask * 16, label, doors: readers.at(-1)! });
  }
  return out;
}

/**
 * Appendix 8 - APB Values. The manual prints 196 for "readers 3 and 4", a misprint of 192 (64 + 128: every other
 * reader row is the sum of its readers' bits, and 196 would carry door value 4 in its low bits): 192 is what is sent.
 */
export const APB_VALUES: readonly PanelRuleValue[] = [
  { value: 0, label: 'No APB', doors: 0 },
  { value: 1, label: 'APB between Door 1 and Door 2', doors: 2 },
  { value: 2, label: 'APB between Door 3 and Door 4', doors: 4 },
  { value: 3, label: 'APB between Door 1 and Door 2 and APB between Door 3 and Door 4', doors: 4 },
  { value: 4, label: 'APB between Door 1 or 2 and Door 3 or 4', doors: 4 },
  { value: 5, label: 'APB between Door 1 and Door 2 or 3', doors: 3 },
  { value: 6, label: 'APB between Door 1 and Door 2 or 3 or 4', doors: 4 },
  ...readerValues(),
];

export const PANEL_RULE_VALUES: Readonly<Record<PanelRuleOption, readonly PanelRuleValue[]>> = { InterLock: INTERLOCK_VALUES, AntiPassback: APB_VALUES };

/** The values a panel of `lockCount` doors takes for the option (0 always). */
export function panelRuleValuesFor(option: PanelRuleOption, lockCount: number): PanelRuleValue[] {
  return PANEL_RULE_VALUES[option].filter((v) => v.doors <= lockCount);
}

/** One option a panel is sent. */
export interface PanelRuleRecord {
  option: PanelRuleOption;
  value: number;
}

/** `SET OPTIONS AntiPassback=<v>,InterLock=<v>` (9.5.1's comma list), the options in the order given. */
export function setPanelRules(records: readonly PanelRuleRecord[]): string {
  for (const r of records) {
    if (!PANEL_RULE_OPTIONS.includes(r.option)) throw new ProtocolValueError('option', 'AntiPassback or InterLock');
    if (!PANEL_RULE_VALUES[r.option].some((v) => v.value === r.value)) throw new ProtocolValueError(r.option, `a value of ${r.option === 'InterLock' ? 'Appendix 9' : 'Appendix 8'}`);
  }
  return setOptions(records.map((r): [string, number] => [r.option, r.value]));
}
