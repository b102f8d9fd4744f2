import { describe, expect, it } from 'vitest';
import { ProtocolValueError } from './errors';
import { APB_VALUES, panelRuleValuesFor, setPanelRules } from './panel-rules';

describe('interlock and anti-passback options (Appendix 8, 9)', () => {
  it("takes Appendix 8's APB values, 192 for readers 3 and 4 (the manual prints 196)", () => {
    expect(APB_VALUES.map((v) => v.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240]);
    expect(APB_VALUES.find((v) => v.value === 192)!.label).toBe('APB between each two of readers 3 and 4 respectively');
    expect(APB_VALUES.find((v) => v.value === 240)!.label).toBe('APB between each two of readers 1, 2, 3 and 4 respectively');
  });

  it("offers a panel only the values its doors allow", () => {
    expect(panelRuleValuesFor('InterLock', 1).map((v) => v.value)).toEqual([0]);
    expect(panelRuleValuesFor('InterLock', 2).map((v) => v.value)).toEqual([0, 1]);
    expect(panelRuleValuesFor('InterLock', 4).map((v) => v.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(panelRuleValuesFor('AntiPassback', 1).map((v) => v.value)).toEqual([0, 16]);
    expect(panelRuleValuesFor('AntiPassback', 2).map((v) => v.value)).toEqual([0, 1, 16, 32, 48]);
  });

  it('builds one SET OPTIONS, refusing an option or value of no table', () => {
    expect(setPanelRules([{ option: 'AntiPassback', value: 3 }, { option: 'InterLock', value: 4 }])).toBe('SET OPTIONS AntiPassback=3,InterLock=4');
    expect(setPanelRules([{ option: 'InterLock', value: 0 }])).toBe('SET OPTIONS InterLock=0');
    expect(() => setPanelRules([{ option: 'InterLock', value: 6 }])).toThrow(ProtocolValueError);
    expect(() => setPanelRules([{ option: 'AntiPassback', value: 196 }])).toThrow(ProtocolValueError);
    expect(() => setPanelRules([{ option: 'DoorDisable' as never, value: 1 }])).toThrow(ProtocolValueError);
    expect(() => setPanelRules([])).toThrow(ProtocolValueError);
  });
});
