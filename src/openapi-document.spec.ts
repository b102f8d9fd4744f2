import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { describe, expect, it } from 'vitest';
import { createApp, openApiDocumentOf } from './bootstrap';
import { createRootLogger } from './common/logger';
import { loadConfig } from './config/config';
import { generateOpenApiDocument, openApiDrift } from './openapi-document';
import { buildOpenApiDocument } from './swagger';

describe('openapi/openapi.json', () => {
  it('matches what the code generates (run `npm run openapi` after changing an endpoint)', async () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve(process.cwd(), 'openapi/openapi.json'), 'utf8'));
    const generated = await generateOpenApiDocument();
    expect(openApiDrift(committed, generated)).toEqual([]);
  });

  it('reports drift when an endpoint changes', async () => {
    const generated = (await generateOpenApiDocument()) as { paths: Record<string, unknown> };
    const drifted = structuredClone(generated);
    drifted.paths['/api/invented'] = { get: {} };
    expect(openApiDrift(drifted, generated).length).toBeGreaterThan(0);
    const renamed = structuredClone(generated) as unknown as { info: { title: string } };
    renamed.info.title = 'something else';
    expect(openApiDrift(renamed, generated).length).toBeGreaterThan(0);
  });

  it('describes the bearer scheme as the opaque API token it is, not a JWT a client could decode', async () => {
    const doc = (await generateOpenApiDocument()) as { components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque token' });
  });
});

describe('the inputs of every endpoint are in the document (openapi-inputs.ts)', () => {
  it('lists a GET read\'s query parameters and a POST write\'s JSON body, from the endpoint\'s DTO', async () => {
    const doc = (await generateOpenApiDocument()) as any;
    const query = (path: string) => Object.fromEntries(doc.paths[path].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => [p.name, p.required]));
    expect(query('/api/transaction/list')).toEqual({ pageNo: true, pageSize: true, startDate: false, endDate: false, personPin: false, deviceSn: false });
    expect(query('/api/door/allDoorState')).toEqual({ timestamp: false, pageNo: false, pageSize: false });
    expect(query('/api/v2/person/get')).toEqual({ pin: true });
    const bodyOf = (path: string) => {
      const ref = doc.paths[path].post.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
      return Object.keys(doc.components.schemas[ref?.split('/').pop() ?? '']?.properties ?? {});
    };
    expect(bodyOf('/api/person/add')).toEqual(expect.arrayContaining(['pin', 'name', 'deptCode', 'accLevelIds', 'personPhoto']));
    // A POST whose manual prints its inputs in the URL (@QueryParams) lists them as query parameters, where
    // CVSecurity reads them (it read a JSON body the server never looks at).
    expect(bodyOf('/api/door/remoteOpenById')).toEqual([]);
    const postQuery = (path: string) => Object.fromEntries(doc.paths[path].post.parameters.filter((p: any) => p.in === 'query').map((p: any) => [p.name, p.required]));
    expect(postQuery('/api/door/remoteOpenById')).toEqual({ doorId: true, interval: true });
    expect(postQuery('/api/accLevel/syncPerson')).toEqual({ pin: true, levelIds: true });
    // A path parameter the DTO also carries is listed once, as the path's.
    for (const item of Object.values<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        const names = (op.parameters ?? []).map((p: any) => p.name);
        expect(new Set(names).size, op.operationId).toBe(names.length);
      }
    }
  });

  it('leaves only endpoints without inputs with neither', async () => {
    const doc = (await generateOpenApiDocument()) as any;
    const bare = Object.entries<any>(doc.paths).flatMap(([path, item]) =>
      Object.entries<any>(item).flatMap(([method, op]) => (path.startsWith('/api/') && !op.requestBody && !(op.parameters ?? []).length ? [`${method.toUpperCase()} ${path}`] : [])),
    );
    expect(bare.sort()).toEqual(
      [
        'GET /api/attApply/getLeaveTypeList',
        'GET /api/gateway/attendance/points',
        'GET /api/gateway/holidays',
        'GET /api/gateway/pushTargets',
        'GET /api/gateway/timeSegments',
        'POST /api/gateway/visRegistration/sweep',
        'POST /api/v2/person/detectFace',
      ].sort(),
    );
  });

  it('gives "Try it out" no value for an optional filter (its example is in the description), and keeps required ones', async () => {
    const doc = (await generateOpenApiDocument()) as any;
    const params = doc.paths['/api/transaction/list'].get.parameters as any[];
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect([byName.pageNo.required, byName.pageNo.schema.example ?? byName.pageNo.example]).toEqual([true, 1]);
    expect(byName.personPin.example ?? byName.personPin.schema?.example).toBeUndefined();
    expect(byName.personPin.description).toContain('Example: `57`.');
    for (const item of Object.values<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        for (const p of op.parameters ?? []) if (p.in === 'query' && !p.required) expect(p.example ?? p.schema?.example, `${op.operationId} ${p.name}`).toBeUndefined();
      }
    }
    // person/add's example photo is a real image: the body "Try it out" starts from is not refused -27.
    const photo = doc.components.schemas[doc.paths['/api/person/add'].post.requestBody.content['application/json'].schema.$ref.split('/').pop()].properties.personPhoto.example;
    expect(Buffer.from(photo, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('the document of each application a process starts (swagger.ts keeps the last one built)', () => {
  const preview = () =>
    createApp({ ...loadConfig({}), logLevel: 'silent' }, { url: 'postgres://preview@127.0.0.1:1/preview', poolSize: 1 }, { preview: true, logger: createRootLogger('silent') });

  it('is the same for each gateway, and each gets its own copy', async () => {
    const [a, b] = [await preview(), await preview()];
    try {
      const first = openApiDocumentOf(a);
      const second = openApiDocumentOf(b);
      expect(second).toEqual(first);
      expect(second).not.toBe(first);
      // What one application does to its document is not in the next one's.
      first.paths['/api/invented'] = { get: {} } as never;
      first.info.title = 'changed';
      const third = openApiDocumentOf(b);
      expect(third.paths['/api/invented']).toBeUndefined();
      expect(third.info.title).toBe('cvsecurity-gateway');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('is built again for an application with other routes', async () => {
    @Controller('probe')
    class ProbeController {
      @Get('only')
      only() {
        return 'only';
      }
    }
    @Module({ controllers: [ProbeController] })
    class ProbeModule {}
    const gateway = await preview();
    const probe = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { preview: true, logger: false });
    try {
      expect(Object.keys(buildOpenApiDocument(gateway, 'v').paths)).toContain('/api/person/add');
      expect(Object.keys(buildOpenApiDocument(probe, 'v').paths)).toEqual(['/probe/only']);
      expect(Object.keys(buildOpenApiDocument(gateway, 'v').paths)).toContain('/api/person/add');
      expect(buildOpenApiDocument(gateway, 'w').info.version).toBe('w');
    } finally {
      await probe.close();
      await gateway.close();
    }
  });
});
