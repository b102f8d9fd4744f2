import { plainToInstance } from 'class-transformer';
import { IsArray, IsOptional, IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ClientForms, formsOf, indexedObjects, ListInput, normaliseClientForms, REPEATED_QUERY_KEYS } from './client-forms';

class PinDto {
  @IsString() pin!: string;
  @IsOptional() @IsString() name?: string;
}

class PersonIdDto {
  @IsString() personId!: string;
}

@ClientForms({ wrappers: ['apiThing'], synonyms: { code: ['deptCode'] }, path: ['code', 'no'] })
class DeclaredDto {
  @IsString() code!: string;
  @IsOptional() @IsString() no?: string;
}

@ClientForms({ notSynonyms: ['personId'] })
class OwnIdDto {
  @IsString() pin!: string;
  @IsOptional() @IsString() personId?: string;
}

class SnDto {
  @IsString() deviceSn!: string;
  @IsString() sn!: string;
  @IsOptional() @IsString() pageNo?: string;
}

class ListDto {
  @IsOptional() @ListInput() @IsString() pins?: string;
  @IsOptional() @ListInput('array') @IsArray() pointIds?: string[];
  @IsOptional() @IsString() name?: string;
}

/** A merged input as CvInput builds it: the keys repeated in the query marked. */
const fromQuery = (input: Record<string, unknown>, repeated: string[]) => Object.defineProperty({ ...input }, REPEATED_QUERY_KEYS, { value: repeated, enumerable: false });

describe('list inputs', () => {
  it('take a JSON array, a comma-separated string or one value, in the shape the field declares', () => {
    const dto = (v: Record<string, unknown>) => plainToInstance(ListDto, v);
    expect(dto({ pins: ['1', 2, ' 3 '] }).pins).toBe('1,2,3');
    expect(dto({ pins: ' 1, 2 ' }).pins).toBe('1,2');
    expect(dto({ pins: '' }).pins).toBe('');
    expect(dto({ pins: [] }).pins).toBe('');
    expect(dto({ pointIds: 'a,b' }).pointIds).toEqual(['a', 'b']);
    expect(dto({ pointIds: ['a', ' b'] }).pointIds).toEqual(['a', 'b']);
    expect(dto({ pins: [{ x: 1 }] }).pins).toEqual([{ x: 1 }]); // left for the validators to refuse
  });

  it('keep every value of a key repeated in the query (also as name[] or a synonym); other fields one value, refused when the repeats differ', () => {
    expect(normaliseClientForms(ListDto, fromQuery({ pins: ['1', '2'], name: ['a', ' a'] }, ['pins', 'name']))).toEqual({ pins: ['1', '2'], name: ' a' });
    expect(() => normaliseClientForms(ListDto, fromQuery({ pins: ['1', '2'], name: ['a', 'b'] }, ['pins', 'name']))).toThrow('name takes one value, but was sent 2 times with different values ("a", "b")');
    // A key that names no field is left to the whitelist, whatever its repeats.
    expect(normaliseClientForms(ListDto, fromQuery({ other: ['a', 'b'] }, ['other']))).toEqual({ other: 'b' });
    expect(normaliseClientForms(ListDto, fromQuery({ 'pins[]': ['1', '2'] }, ['pins[]']))).toEqual({ pins: ['1', '2'] });
    expect(normaliseClientForms(ListDto, { 'pins[]': '1' })).toEqual({ pins: ['1'] });
    // A body array is the body's own: not reduced.
    expect(normaliseClientForms(ListDto, { name: ['a', 'b'] })).toEqual({ name: ['a', 'b'] });
  });
});

class ItemsDto {
  @IsOptional() @IsArray() accApiLevelAddItems?: Array<Record<string, unknown>>;
  @IsOptional() @ListInput() @IsString() pins?: string;
}

describe('lists of objects as indexed field keys', () => {
  it('`items[i][field]` and `items[i].field` build the list in index order; a repeated key takes its last value', () => {
    const { lists, keys } = indexedObjects({ 'a[1][name]': 'B', 'a[0][name]': 'A', 'a[0].areaName': ['x', 'y'], 'b[0][name]': 'no', other: '1' }, (n) => (n === 'a' ? 'a' : undefined));
    expect(lists).toEqual(new Map([['a', [{ name: 'A', areaName: 'y' }, { name: 'B' }]]]));
    expect(keys.sort()).toEqual(['a[0].areaName', 'a[0][name]', 'a[1][name]']);
  });

  it('fill a declared field (in any case) that is no list of scalars, unless it is given as such', () => {
    expect(normaliseClientForms(ItemsDto, { 'AccApiLevelAddItems[0][name]': 'L', 'accApiLevelAddItems[0][timeSegName]': 'T' })).toEqual({ accApiLevelAddItems: [{ name: 'L', timeSegName: 'T' }] });
    expect(normaliseClientForms(ItemsDto, { accApiLevelAddItems: [{ name: 'J' }], 'accApiLevelAddItems[0][name]': 'F' })).toEqual({ accApiLevelAddItems: [{ name: 'J' }] });
    // A list of scalars keeps PHP's `pins[0]=` form; keys of an undeclared name stay as they came.
    expect(normaliseClientForms(ItemsDto, { 'pins[0]': '1', 'other[0][x]': 'y' })).toEqual({ pins: ['1'], 'other[0][x]': 'y' });
  });
});

class WrappedFilterDto {
  @IsOptional() @IsString() devSn?: string;
  @IsOptional() content?: Record<string, unknown>;
  @IsOptional() @ListInput() @IsString() pins?: string;
}

describe('one object as field keys', () => {
  it('`content[field]` and `content.field` build the object; the object sent whole wins; lists and undeclared names stay', () => {
    expect(normaliseClientForms(WrappedFilterDto, { 'content[devSn]': 'A', 'content.personPin': ['1', '2'] })).toEqual({ content: { devSn: 'A', personPin: '2' } });
    expect(normaliseClientForms(WrappedFilterDto, { content: { devSn: 'J' }, 'content[devSn]': 'F', 'content[type]': 'alarm' })).toEqual({ content: { devSn: 'J', type: 'alarm' } });
    expect(normaliseClientForms(WrappedFilterDto, { 'other[x]': 'y', 'pins[]': '1' })).toEqual({ 'other[x]': 'y', pins: ['1'] });
    // A wrapper's fields (apiBioTemplate) so written are the wrapper's, unwrapped as the JSON form is.
    expect(normaliseClientForms(WrappedFilterDto, { 'apiBioTemplate[devSn]': 'W' })).toEqual({ devSn: 'W' });
  });
});

describe('client forms', () => {
  it('maps the manual synonyms onto the name the DTO declares', () => {
    expect(normaliseClientForms(PinDto, { personPin: '7' })).toEqual({ personPin: '7', pin: '7' });
    expect(normaliseClientForms(PinDto, { personId: '7' })).toEqual({ personId: '7', pin: '7' });
    expect(normaliseClientForms(PersonIdDto, { pin: '7' })).toEqual({ pin: '7', personId: '7' });
    expect(normaliseClientForms(SnDto, { devSn: 'A', page: '2' })).toEqual({ devSn: 'A', page: '2', deviceSn: 'A', sn: 'A', pageNo: '2' });
  });

  it('never overwrites a name the DTO declares, nor maps a synonym the DTO opts out of', () => {
    expect(normaliseClientForms(PinDto, { pin: '1', personPin: '2' })).toEqual({ pin: '1', personPin: '2' });
    expect(normaliseClientForms(SnDto, { deviceSn: 'A', devSn: 'B' })).toEqual({ deviceSn: 'A', devSn: 'B', sn: 'B' });
    expect(normaliseClientForms(OwnIdDto, { personId: 'x' })).toEqual({ personId: 'x' });
  });

  it('unwraps a body wrapped in its Swagger name, a global one, or any key holding its fields', () => {
    expect(normaliseClientForms(DeclaredDto, { apiThing: { nothingKnown: 1 } })).toEqual({ nothingKnown: 1 });
    expect(normaliseClientForms(PinDto, { person: { pin: '1' } })).toEqual({ pin: '1' });
    expect(normaliseClientForms(PinDto, { whatever: { personPin: '1', name: 'A' } })).toEqual({ personPin: '1', name: 'A', pin: '1' });
    // The wrapped fields win over loose ones (query inputs merged before the body).
    expect(normaliseClientForms(PinDto, { pin: 'query', person: { pin: 'body' } })).toEqual({ pin: 'body' });
    // An object without any field of the DTO is left alone (and dropped by the whitelist later).
    expect(normaliseClientForms(PinDto, { pin: '1', extra: { a: 1 } })).toEqual({ pin: '1', extra: { a: 1 } });
  });

  it('applies declared synonyms, and leaves what is not an object alone', () => {
    expect(normaliseClientForms(DeclaredDto, { deptCode: 'D' })).toEqual({ deptCode: 'D', code: 'D' });
    expect(normaliseClientForms(PinDto, 'text')).toBe('text');
    expect(normaliseClientForms(PinDto, [1])).toEqual([1]);
    const same = { pin: '1' };
    expect(normaliseClientForms(PinDto, same)).toBe(same);
  });

  it('names the path forms: declared, else the first identifier field', () => {
    expect(formsOf(DeclaredDto).path).toEqual(['code', 'no']);
    expect(formsOf(PinDto).path).toEqual(['pin']);
    expect(formsOf(PersonIdDto).path).toEqual([]);
  });
});
