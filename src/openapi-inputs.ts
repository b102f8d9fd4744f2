import { RequestMethod, type INestApplicationContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ApiBody, ApiQuery, type OpenAPIObject } from '@nestjs/swagger';
import { controllerHandlers } from './common/controller-handlers';
import { cvInputOf, QUERY_PARAMS } from './common/input.decorator';

/**
 * The inputs of every operation that reads them through `@CvInput()`, in the OpenAPI document.
 *
 * Swagger only sees Nest's own `@Query()`/`@Body()`; the gateway reads an endpoint's inputs from the query and
 * the body alike (`CvInput`), so without this the document listed no query parameter for the manual's GET lists
 * (`pageNo`, `pageSize`, `startDate`...) and no body for most POSTs (`person/add`), and Swagger UI's "Try it out"
 * could send neither. Before the document is built, each such handler that declares none itself is given its
 * DTO as Swagger's own decorators would: a GET or DELETE, and a POST whose manual prints its inputs in the URL
 * (`@QueryParams`: the query is where they are read first), its fields as query parameters, any other POST, PUT or
 * PATCH the DTO as its JSON body (every one of them also takes its inputs in the query; the body is the one form
 * Swagger UI can show for all of them). Once per handler, however many documents a process builds.
 */
export function declareCvInputs(app: INestApplicationContext): void {
  for (const { cls, name, handler, method } of controllerHandlers(app)) {
    const dto = inputDtoOf(cls, name);
    if (!dto || Reflect.getMetadata(DECLARED, handler)) continue;
    Reflect.defineMetadata(DECLARED, true, handler);
    const declared = (Reflect.getMetadata(API_PARAMETERS, handler) ?? []) as Array<{ in?: string }>;
    const descriptor = { value: handler } as PropertyDescriptor;
    if (method === RequestMethod.GET || method === RequestMethod.DELETE || Reflect.getMetadata(QUERY_PARAMS, handler) === true) ApiQuery({ type: dto, required: false })(cls.prototype, name, descriptor);
    else if (!declared.some((p) => p.in === 'body')) ApiBody({ type: dto })(cls.prototype, name, descriptor);
  }
}

/**
 * One parameter per name and place: a field the handler also declares with `@ApiParam`/`@ApiQuery` (or a path
 * parameter the DTO carries too, as route-forms.ts reads it either way) is listed once, as declared.
 */
export function dedupeParameters(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const op of [item.get, item.post, item.put, item.delete, item.patch]) {
      if (!op?.parameters) continue;
      const seen = new Set<string>();
      const pathNames = new Set(op.parameters.flatMap((p) => ('in' in p && p.in === 'path' ? [p.name] : [])));
      op.parameters = op.parameters.filter((p) => {
        if (!('name' in p)) return true;
        const key = `${p.in} ${p.name}`;
        if (seen.has(key) || (p.in === 'query' && pathNames.has(p.name))) return false;
        seen.add(key);
        return true;
      });
    }
  }
}

/**
 * An optional query parameter's example moves into its description. Swagger UI's "Try it out" fills every
 * parameter that has an example, so `transaction/list` went out filtered to the manual's 2023-01-12 and pin 57
 * and answered nothing; an optional filter now starts empty and says what a value looks like. Required ones
 * (`pageNo`, `pageSize`, path parameters) keep theirs, which Try it out can send as they are.
 */
export function unfillOptionalQueryExamples(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const op of [item.get, item.post, item.put, item.delete, item.patch]) {
      for (const p of op?.parameters ?? []) {
        if (!('name' in p) || p.in !== 'query' || p.required) continue;
        const schema = (p.schema ?? {}) as { example?: unknown };
        const example = p.example ?? schema.example;
        if (example === undefined) continue;
        delete p.example;
        delete schema.example;
        const shown = `Example: \`${typeof example === 'string' ? example : JSON.stringify(example)}\`.`;
        p.description = p.description ? `${p.description.replace(/\s*$/, '')}${/[.!?)]$/.test(p.description.trim()) ? '' : '.'} ${shown}` : shown;
      }
    }
  }
}

const API_PARAMETERS = 'swagger/apiParameters';
const DECLARED = 'cv:swaggerInputsDeclared';

/** The class of a handler's `@CvInput()` parameter, if it has one. */
function inputDtoOf(cls: Function & { prototype: object }, name: string): Function | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, name) ?? {}) as Record<string, { index: number; factory?: unknown }>;
  const input = Object.values(args).find((a) => a.factory === cvInputOf);
  const types = (Reflect.getMetadata('design:paramtypes', cls.prototype, name) ?? []) as unknown[];
  const dto = input ? types[input.index] : undefined;
  return typeof dto === 'function' && dto !== Object ? dto : undefined;
}
