import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The Dockerfile's build stage copies only some of the repository (its COPY lines) and runs `npm run build`
// there. A file the production build compiles that imports something outside those copies fails that build
// (src/push/protocol/testing/ imported test/fixtures/ once: TS2307 inside `docker build`, never seen here).
const ROOT = path.resolve('.');

function dockerBuildCopies(): string[] {
  const build = readFileSync('Dockerfile', 'utf8').split(/^FROM /m)[1];
  const copies: string[] = [];
  for (const m of build.matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
    const parts = m[1].trim().split(/\s+/).filter((p) => !p.startsWith('--'));
    parts.pop(); // destination
    copies.push(...parts);
  }
  return copies;
}

function productionBuildFiles(): string[] {
  const file = path.resolve('tsconfig.build.json');
  const cfg = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT, undefined, file).fileNames;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), `${base}.json`].find((c) => existsSync(c) && !c.endsWith(path.sep));
}

describe('the Dockerfile build stage', () => {
  it('copies everything the production build compiles and imports', () => {
    const copies = dockerBuildCopies().map((c) => path.resolve(c));
    expect(copies).toContain(path.resolve('src'));
    const inCopy = (f: string) => copies.some((c) => f === c || f.startsWith(c + path.sep));
    const outside: string[] = [];
    for (const f of productionBuildFiles()) {
      const rel = path.relative(ROOT, f);
      // Only what the image builds: src/ (its entry) and what the Dockerfile copies besides.
      if (!inCopy(f)) continue;
      for (const imp of ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles) {
        if (!imp.fileName.startsWith('.')) continue;
        const target = resolveLocal(f, imp.fileName);
        if (target && !inCopy(target)) outside.push(`${rel} imports ${path.relative(ROOT, target)}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
