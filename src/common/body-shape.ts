/**
 * The shape a REST body may have. No body of the manual, nor of any client seen, nests past four levels or
 * carries more than a few dozen members per object; a bulk write of MAX_BATCH_ITEMS persons holds some tens of
 * thousands of members. class-transformer walks an input recursively, member by member, before validation:
 * a body nested a few thousand levels deep overflowed the stack (HTTP 500 "Program error"), and one of a few
 * hundred thousand members (200,000 keys in 3.5 MB) held the event loop, so every device and client, for
 * seconds to minutes. Such bodies are refused up front by the JSON parsers.
 */
export const MAX_JSON_DEPTH = 64;
/** Members (keys) of one object. */
export const MAX_OBJECT_MEMBERS = 1000;
/** Members of every object and items of every array of the body, together. */
export const MAX_BODY_MEMBERS = 100_000;

/** Why `value` may not be read, or undefined: an iterative walk (no stack to overflow), stopping at the first excess. */
export function bodyShapeProblem(value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let members = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return `Request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`;
    const children = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v) && children.length > MAX_OBJECT_MEMBERS) return `Request body has an object of more than ${MAX_OBJECT_MEMBERS} members`;
    members += children.length;
    if (members > MAX_BODY_MEMBERS) return `Request body has more than ${MAX_BODY_MEMBERS} members and items in all`;
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return undefined;
}

/** The refusal of such a body, as the exception filter turns it into the envelope (HTTP 400, code -400). */
function bodyShapeError(problem: string): Error {
  const err = new Error(problem) as Error & { statusCode: number; code: string };
  err.statusCode = 400;
  err.code = 'FST_ERR_CTP_BODY_SHAPE';
  return err;
}

/** The body as read, unless its shape is refused: then the error the content-type parsers hand Fastify. */
export function checkedShape<T>(body: T): T {
  const problem = bodyShapeProblem(body);
  if (problem !== undefined) throw bodyShapeError(problem);
  return body;
}
