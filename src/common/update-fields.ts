import { CvCode, CvError } from './cv-error';

/**
 * An update that gives none of the fields it can change (`{}`, no body, only the id) is -400 naming them. Such a
 * call was answered success while nothing changed, and a client whose body went missing (a serialiser dropping
 * its fields, a PUT sent without a Content-Type) took its edit as done. A field is given when it is not undefined;
 * a caller for whom a blank value means "keep" passes it as undefined.
 */
export function requireSomeChange(what: string, given: Record<string, unknown>): void {
  const fields = Object.keys(given);
  if (fields.some((f) => given[f] !== undefined)) return;
  const named = fields.length > 1 ? `${fields.slice(0, -1).join(', ')} or ${fields[fields.length - 1]}` : fields[0];
  throw new CvError(CvCode.InvalidParameter, `The ${what} update gives nothing to change: send ${named}`);
}
