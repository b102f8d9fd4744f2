import * as fs from 'node:fs';
import * as path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files longest first, so that the two workers of a 2-core run end together instead of one of them running a
 * long file alone at the end. Vitest orders by the durations of the previous run when it has them (its cache), and
 * otherwise (a fresh clone, CI, a run that was interrupted) by file size alone; the longest files are then small
 * ones that wait on something else: separate gateway processes (`node dist/src/main.js`, two of them for scale-out,
 * kill -9 and restarts), a browser, an embedded cluster made on disk. Their weight here: a minute on top of their
 * size (about a millisecond per byte of spec, as the in-process files run).
 */
const WAITS_ON_PROCESSES = /\b(GatewayProcess|useTwoGateways|spawn|startGateway|ConsoleBrowserRun|chromium)\b/;
const PROCESS_MS = 60_000;

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const estimate = new Map<TestSpecification, number>();
    for (const spec of files) {
      const key = `${spec.project.name}:${path.relative(this.ctx.config.root, spec.moduleId)}`;
      const last = cache.getFileTestResults(key);
      if (last && !last.failed) {
        estimate.set(spec, last.duration);
        continue;
      }
      const text = fs.readFileSync(spec.moduleId, 'utf8');
      // A file that failed last time runs early, as vitest's own order has it.
      estimate.set(spec, (last?.failed ? Infinity : 0) + text.length + (WAITS_ON_PROCESSES.test(text) ? PROCESS_MS : 0));
    }
    return [...files].sort((a, b) => estimate.get(b)! - estimate.get(a)!);
  }
}
