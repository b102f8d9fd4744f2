import 'reflect-metadata';
import { getMetadataStorage, IsInt, IsOptional, IsString, MaxLength, validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { memoiseValidationMetadata } from './validation-metadata-cache';

class Base {
  @IsString()
  pin!: string;

  @IsOptional()
  @MaxLength(5, { groups: ['short'] })
  name?: string;
}

class Derived extends Base {
  @IsInt()
  deptId!: number;
}

type Lookup = (target: Function, schema: string, always: boolean, strictGroups: boolean, groups?: string[]) => Array<{ propertyName: string; type: string }>;
const storage = () => getMetadataStorage() as unknown as { getTargetValidationMetadatas: Lookup };
const names = (list: Array<{ propertyName: string; type: string }>) => list.map((m) => `${m.propertyName}:${m.type}`).sort();

describe('memoised validation metadata', () => {
  it('answers exactly what class-validator answers, for own, inherited and grouped declarations', () => {
    const cases: Array<[Function, boolean, boolean, string[] | undefined]> = [
      [Derived, false, false, undefined],
      [Derived, true, false, undefined],
      [Derived, false, true, undefined],
      [Derived, false, false, ['short']],
      [Base, false, false, undefined],
      [Base, false, false, []],
    ];
    const before = cases.map(([t, a, s, g]) => names(storage().getTargetValidationMetadatas(t, '', a, s, g)));
    memoiseValidationMetadata();
    memoiseValidationMetadata(); // installing twice is harmless
    const after = cases.map(([t, a, s, g]) => names(storage().getTargetValidationMetadatas(t, '', a, s, g)));
    const again = cases.map(([t, a, s, g]) => names(storage().getTargetValidationMetadatas(t, '', a, s, g)));
    expect(after).toEqual(before);
    expect(again).toEqual(before);
    expect(before[0]).toContain('deptId:customValidation');
    expect(before[0]).toContain('pin:customValidation');
  });

  it('hands out copies, and forgets its answers when a declaration is added later', async () => {
    memoiseValidationMetadata();
    const first = storage().getTargetValidationMetadatas(Derived, '', false, false);
    first.length = 0;
    expect(storage().getTargetValidationMetadatas(Derived, '', false, false).length).toBeGreaterThan(0);
    // A declaration added after the first answer (a class whose decorators run later).
    class Late {
      @IsString()
      late!: string;
    }
    expect(names(storage().getTargetValidationMetadatas(Late, '', false, false))).toEqual(['late:customValidation']);
    IsInt()(Late.prototype, 'late');
    expect(names(storage().getTargetValidationMetadatas(Late, '', false, false))).toEqual(['late:customValidation', 'late:customValidation']);
    // And validation itself still works.
    const d = Object.assign(new Derived(), { pin: 'x', deptId: 'no' });
    expect((await validate(d)).map((e) => e.property)).toEqual(['deptId']);
  });
});
