import { describe, expect, it } from 'vitest';
import { moduleRightsCommands, planModuleDevice, type ModuleRights, type ModuleSyncRow } from './elevator-commands';
import type { SyncPerson } from './sync-commands';

const person = (id: string, pin: string): SyncPerson => ({
  id, pin, name: pin, lastName: null, cardNo: null, password: null, isDisabled: false, accStartTime: null, accEndTime: null, photo: null, cards: [],
});

describe('elevator/passage planning', () => {
  const a = person('a', '1');
  const b = person('b', '2');
  const rights = new Map<string, ModuleRights>([['a', new Map([[1, [9, 8, 8]], [3, [1]]])]]);

  it('places persons with rights, removes those without, collects time zones', () => {
    const before = new Map<string, ModuleSyncRow>([['2', { deviceId: 'd', pin: '2', rights: [[1, [1]]] }]]);
    const plan = planModuleDevice([a, b], (id) => rights.get(id), before, false);
    expect(plan.items.map((i) => [i.person.pin, i.rights, i.reset])).toEqual([['1', [[1, [8, 9]], [3, [1]]], false]]);
    expect(plan.removals).toEqual(['2']);
    expect(plan.timezones).toEqual([1, 3]);
    expect(plan.placed).toEqual(['1']);
  });

  it('resets a person whose device holds a time zone that is gone; records of the same key are overwritten', () => {
    const before = new Map<string, ModuleSyncRow>([['1', { deviceId: 'd', pin: '1', rights: [[2, [1]]] }]]);
    expect(planModuleDevice([a], (id) => rights.get(id), before, false).items[0].reset).toBe(true);
    const same = new Map<string, ModuleSyncRow>([['1', { deviceId: 'd', pin: '1', rights: [[1, [8, 9]]] }]]);
    expect(planModuleDevice([a], (id) => rights.get(id), same, false).items[0].reset).toBe(false);
    expect(planModuleDevice([a], (id) => rights.get(id), same, true).items[0].reset).toBe(false);
    expect(planModuleDevice([a], (id) => rights.get(id), same, true).placed).toEqual(['1']);
  });

  it('writes usereleauthorize for elevator controllers and userauthorize for channel controllers', () => {
    const plan = planModuleDevice([a], (id) => rights.get(id), new Map(), false);
    expect(moduleRightsCommands('ele', plan.items)).toEqual([
      'DATA UPDATE usereleauthorize Pin=1\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=180\nPin=1\tAuthorizeTimezoneId=3\tAuthorizeFloorId=0\tAuthorizeFloors=1',
    ]);
    expect(moduleRightsCommands('psg', plan.items)).toEqual(['DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=1\tAuthorizeDoorId=384\nPin=1\tAuthorizeTimezoneId=3\tAuthorizeDoorId=1']);
  });
});
