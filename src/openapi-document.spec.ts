import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument, openApiDrift } from './openapi-document';

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
});
