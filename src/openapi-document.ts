import { createApp, openApiDocumentOf } from './bootstrap';
import { createRootLogger } from './common/logger';
import { loadConfig } from './config/config';

/**
 * The OpenAPI document as the code defines it, built without a database: Nest's preview mode wires the
 * module graph without instantiating providers.
 */
export async function generateOpenApiDocument(): Promise<unknown> {
  const config = { ...loadConfig({}), logLevel: 'silent' as const };
  const app = await createApp(config, { url: 'postgres://preview@127.0.0.1:1/preview', poolSize: 1 }, { preview: true, logger: createRootLogger('silent') });
  try {
    return JSON.parse(JSON.stringify(openApiDocumentOf(app)));
  } finally {
    await app.close();
  }
}

export function serializeOpenApi(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Paths whose operations differ between two documents; empty when they match. */
export function openApiDrift(committed: unknown, generated: unknown): string[] {
  const a = serializeOpenApi(committed).split('\n');
  const b = serializeOpenApi(generated).split('\n');
  const diffs: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n && diffs.length < 10; i++) {
    if (a[i] !== b[i]) diffs.push(`line ${i + 1}: committed ${JSON.stringify(a[i] ?? null)} / generated ${JSON.stringify(b[i] ?? null)}`);
  }
  return diffs;
}
