import type { INestApplicationContext, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

export type ControllerClass = Function & { prototype: Record<string, unknown> };

/** One route handler of a controller, as Nest's own metadata declares it. */
export interface ControllerHandler {
  cls: ControllerClass;
  /** The handler's method name on the prototype. */
  name: string;
  handler: Function;
  method: RequestMethod;
  /** Its full paths (controller prefix and handler path joined), without the leading slash: `api/person/get/:pin`. */
  paths: string[];
}

const pathsOf = (target: object): string[] => ([] as string[]).concat((Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined) ?? []);
const segmentsOf = (path: string) => path.split('/').filter((s) => s !== '');

/**
 * Every route handler of every controller of the application, each class once (route-forms.ts, read-forms.ts
 * and openapi-inputs.ts read the same table). Read when called: handlers added to a prototype since are in it.
 */
export function controllerHandlers(app: INestApplicationContext): ControllerHandler[] {
  const classes = new Set<ControllerClass>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const cls = wrapper.metatype as ControllerClass | undefined;
      if (cls?.prototype) classes.add(cls);
    }
  }
  const out: ControllerHandler[] = [];
  for (const cls of classes) {
    const bases = pathsOf(cls).length ? pathsOf(cls) : [''];
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      const handler = cls.prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const own = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (method === undefined || own === undefined) continue;
      const paths = pathsOf(handler).flatMap((p) => bases.map((b) => [...segmentsOf(b), ...segmentsOf(p)].join('/')));
      out.push({ cls, name, handler, method, paths });
    }
  }
  return out;
}
