import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/** CVSecurity's response envelope. code 0 is success; a negative code is a failure from the manual's appendix. */
export interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

export function ok<T>(data: T, message = 'success'): Envelope<T> {
  return { code: 0, message, data };
}

export function fail(code: number, message: string): Envelope<null> {
  return { code, message, data: null };
}

/** Swagger model of the envelope for endpoints whose data is null. */
export class EnvelopeDto {
  @ApiProperty({ example: 0, description: '0 = success, negative = failure (error code appendix)' })
  code!: number;
  @ApiProperty({ example: 'success' })
  message!: string;
  @ApiProperty({ nullable: true, example: null, type: Object })
  data!: unknown;
}

// ---- Swagger models of the envelope around a typed `data` ----
//
// Swagger names a schema after its class, so every item type needs its own named envelope class.
// These factories define that class once per item (cached: the same call from two controllers
// must yield the same class, or Swagger would see two schemas fighting over one name).

type Ctor<T = unknown> = new (...args: never[]) => T;

/** Extra Swagger options for a v2 page's fields, where a module documents them differently (examples, descriptions). */
export type V2PageDocs = Partial<Record<'page' | 'size' | 'total' | 'offset' | 'lastPage', ApiPropertyOptions>>;

const made = new Map<string, { source: unknown; docs: string; cls: Ctor }>();

/** "DoorResponseDto" → "Door", "PersonBriefDto" → "PersonBrief": the base of the generated schema names. */
function baseName(item: Ctor): string {
  return item.name.replace(/Dto$/, '').replace(/Response$/, '');
}

function defineOnce(name: string, source: unknown, docs: V2PageDocs | undefined, define: () => Ctor): Ctor {
  const key = JSON.stringify(docs ?? {});
  const known = made.get(name);
  if (known) {
    // Two item types that shorten to the same name (or one page documented two ways) would
    // silently share a schema; refuse at start-up instead.
    if (known.source !== source || known.docs !== key) throw new Error(`Swagger model ${name} is defined twice, differently`);
    return known.cls;
  }
  const cls = define();
  Object.defineProperty(cls, 'name', { value: name });
  made.set(name, { source, docs: key, cls });
  return cls;
}

function envelopeWith(name: string, source: unknown, data: ApiPropertyOptions): Ctor<Envelope<unknown>> {
  return defineOnce(name, source, undefined, () => {
    class TypedEnvelopeDto {
      @ApiProperty({ example: 0 }) code!: number;
      @ApiProperty({ example: 'success' }) message!: string;
      @ApiProperty(data) data!: unknown;
    }
    return TypedEnvelopeDto;
  }) as Ctor<Envelope<unknown>>;
}

/** `{ code, message, data: Item }` */
export function envelopeOf(item: Ctor): Ctor<Envelope<unknown>> {
  return envelopeWith(`${baseName(item)}EnvelopeDto`, item, { type: item });
}

/** `{ code, message, data: Item[] }` */
export function listEnvelopeOf(item: Ctor): Ctor<Envelope<unknown>> {
  return envelopeWith(`${baseName(item)}ListEnvelopeDto`, item, { type: [item] });
}

/** The v2 "with total number" page of Item (see V2Page in paging.ts), for use inside another model. */
export function v2PageOf(item: Ctor, docs?: V2PageDocs): Ctor {
  return defineOnce(`${baseName(item)}PageDto`, item, docs, () => {
    class TypedPageDto {
      @ApiProperty({ example: 0, ...docs?.page }) page!: number;
      @ApiProperty({ example: 20, ...docs?.size }) size!: number;
      @ApiProperty({ example: 1, ...docs?.total }) total!: number;
      @ApiProperty({ type: [item] }) data!: unknown[];
      @ApiProperty({ example: 0, ...docs?.offset }) offset!: number;
      @ApiProperty({ example: true, ...docs?.lastPage }) lastPage!: boolean;
    }
    return TypedPageDto;
  });
}

/** `{ code, message, data: { page, size, total, data: Item[], offset, lastPage } }` */
export function v2PageEnvelopeOf(item: Ctor, docs?: V2PageDocs): Ctor<Envelope<unknown>> {
  const page = v2PageOf(item, docs);
  return envelopeWith(`${baseName(item)}PageEnvelopeDto`, page, { type: page });
}
