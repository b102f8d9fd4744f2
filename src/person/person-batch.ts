import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CvCode, CvError } from '../common/cv-error';
import { normaliseClientForms } from '../common/client-forms';
import { MAX_BATCH_ITEMS } from '../common/limits';
import { validationErrorToCvError } from '../common/validation';
import { PersonWriteDto } from './dto/person-input.dto';

/** The persons of a v2/person/addPersons body (an array, or an object holding one), each validated like person/add. */
export async function validatePersons(body: unknown): Promise<PersonWriteDto[]> {
  const obj = body as Record<string, unknown> | null;
  const list = Array.isArray(body) ? body : (['persons', 'personList', 'list', 'data', 'person'].map((k) => obj?.[k]).find(Array.isArray) as unknown[] | undefined);
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
    if (errors.length) throw validationErrorToCvError(errors);
    out.push(dto);
  }
  return out;
}
