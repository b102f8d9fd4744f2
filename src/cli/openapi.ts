import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateOpenApiDocument, serializeOpenApi } from '../openapi-document';

/** `npm run openapi`: regenerates openapi/openapi.json from the code. */
async function main() {
  const target = path.resolve(process.cwd(), 'openapi', 'openapi.json');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, serializeOpenApi(await generateOpenApiDocument()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
