import { CvError } from './cv-error';
import { manualMessage } from './cv-messages';

/**
 * The manual's answer for an endpoint whose path parameter is left out or blank (`GET /api/department/get/`,
 * `/api/attAreaPerson/area/get/%20`): the code the same endpoint's query or body form gives a missing value
 * (the v2 department forms -10, attAreaPerson/set's area code -83, a level id -43), with the appendix's
 * message, instead of the generic -400 or a "does not exist" for an empty name, so an integrator that builds
 * the path from an empty variable reads the same code whichever form of the endpoint it calls.
 */
export interface PathParamAnswer {
  code: number;
  message: string;
}

const KEY = 'cv:pathParamAnswer';

/** The answer for a missing value under the appendix code `code`, with the appendix's message. */
export function pathParamAnswer(code: number): PathParamAnswer {
  return { code, message: manualMessage(code) ?? 'A required path parameter is missing' };
}

/** Declares a handler's answer for its path parameter missing (read by route-forms.ts) or blank (requirePathValue). */
export function PathParamAnswer(code: number): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(KEY, pathParamAnswer(code), descriptor.value as object);
    return descriptor;
  };
}

/** The answer a handler declared with @PathParamAnswer, if any. */
export function pathParamAnswerOf(handler: Function): PathParamAnswer | undefined {
  return Reflect.getMetadata(KEY, handler) as PathParamAnswer | undefined;
}

/** The path value trimmed; a blank one (a `%20` segment routes, an empty one does not) is refused with `code`'s answer. */
export function requirePathValue(value: string | undefined, code: number): string {
  const v = (value ?? '').trim();
  if (v === '') {
    const { message } = pathParamAnswer(code);
    throw new CvError(code, message);
  }
  return v;
}
