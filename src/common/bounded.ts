import { registerDecorator, type ValidationOptions } from 'class-validator';

/** The size of an input value as text: a string's length, a number's digits, an object's or array's JSON. */
export function inputLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value).length;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * A length bound for fields that accept more than one JSON type (a string or a number, a comma list or an
 * array, an object): whatever the client sends, its text is at most `max` characters. The type and format
 * checks stay with the field's other constraints or its service, so their error codes do not change.
 */
export function MaxInputLength(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'maxInputLength',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [max],
      options,
      validator: {
        validate: (value: unknown) => inputLength(value) <= max,
        defaultMessage: () => `$property must be at most ${max} characters long`,
      },
    });
}
