import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/longest-first-sequencer';

// SWC, not esbuild: Nest's dependency injection needs emitDecoratorMetadata, which esbuild does not emit.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/file-setup.ts'],
    pool: 'forks',
    // Files share a worker process: each fork loads Nest, TypeORM and the gateway once instead of once per file
    // (about half of the suite's time on a 2-core machine). file-setup.ts restores the environment after
    // each file; DTOs declared by spec files share class-validator's storage (dto-bounds.spec.ts allows for it).
    isolate: false,
    maxWorkers: 2,
    // Longest files first (the previous run's durations, else an estimate): both workers end together.
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
