import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CvCode, CvError } from '../common/cv-error';
import { indexedObjects, normaliseClientForms } from '../common/client-forms';
import { MAX_BATCH_ITEMS } from '../common/limits';
import { validationErrorToCvError } from '../common/validation';
import { PersonWriteDto } from './dto/person-input.dto';

const LIST_KEYS = ['persons', 'personList', 'list', 'data', 'person'];

/**
 * The persons of a v2/person/addPersons body, each validated like person/add: an array, an object holding one, or
 * one person on its own (a bare person object, or {"person": {...}}), which clients built around person/add send.
 * A lone person used to read as "no persons given" (-20, pin empty) though it named its pin.
 */
export async function validatePersons(body: unknown): Promise<PersonWriteDto[]> {
  const raw = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  // A form body's `persons[0][pin]=1&persons[0][name]=Ann` (PHP, jQuery; client-forms.ts): the list it spells.
  const nested = raw && indexedObjects(raw, (name) => LIST_KEYS.find((k) => k.toLowerCase() === name.toLowerCase()));
  const obj = nested?.keys.length ? { ...Object.fromEntries(Object.entries(raw!).filter(([k]) => !nested.keys.includes(k))), ...Object.fromEntries(nested.lists) } : raw;
  const held = LIST_KEYS.map((k) => obj?.[k]).find(Array.isArray) as unknown[] | undefined;
  const lone = obj && !held && Object.keys(obj).length > 0 ? [obj] : undefined;
  const list = Array.isArray(body) ? body : (held ?? lone);
  if (!list || list.length === 0) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty: no persons given');
  if (list.length > MAX_BATCH_ITEMS) throw new CvError(CvCode.InvalidParameter, `At most ${MAX_BATCH_ITEMS} persons per call, got ${list.length}`);
  const out: PersonWriteDto[] = [];
  for (const [i, item] of list.entries()) {
    if (item !== null && item !== undefined && (typeof item !== 'object' || Array.isArray(item))) {
      throw new CvError(CvCode.InvalidParameter, `persons[${i}]: each person must be a JSON object`);
    }
    // Each item in the forms person/add takes: personPin/personId for pin, a {"person": {...}} wrapper.
    const dto = plainToInstance(PersonWriteDto, normaliseClientForms(PersonWriteDto, item ?? {}));
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: false });
    if (errors.length) throw namingPerson(validationErrorToCvError(errors), i, dto.pin, list.length);
    out.push(dto);
  }
  return out;
}

/**
 * The refusal of one person of an addPersons batch, saying which one (its place in the list, and its pin when it
 * gave one): the batch is all or nothing, and "The card number has been used: 5" alone left a client with 200
 * persons to find the one that held it. The code stays the item's own; a batch of one answers as person/add.
 */
export function namingPerson(error: unknown, index: number, pin: unknown, count: number): unknown {
  if (!(error instanceof CvError) || count === 1) return error;
  const which = typeof pin === 'string' && pin !== '' ? `persons[${index}], pin ${pin}` : `persons[${index}]`;
  return new CvError(error.code, `${error.message} (${which}; no person of the batch was stored)`, error.httpStatus);
}
