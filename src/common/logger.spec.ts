import { describe, expect, it } from 'vitest';
import { createRootLogger, NestPinoLogger } from './logger';

function captured(level: 'info' | 'debug') {
  const lines: Array<{ level: number; context?: string; msg: string }> = [];
  const logger = new NestPinoLogger(createRootLogger(level, { write: (s: string) => lines.push(JSON.parse(s)) }));
  return { logger, lines };
}

describe('NestPinoLogger', () => {
  it("keeps Nest's per-route and per-module start-up lines at debug level, everything else as Nest logs it", () => {
    const { logger, lines } = captured('info');
    logger.log('Mapped {/api/person/add, POST} route', 'RouterExplorer');
    logger.log('PersonController {/}:', 'RoutesResolver');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Nest application successfully started', 'NestApplication');
    logger.warn('something to see', 'Sync');
    expect(lines.map((l) => [l.context, l.msg])).toEqual([
      ['NestApplication', 'Nest application successfully started'],
      ['Sync', 'something to see'],
    ]);
    const debug = captured('debug');
    debug.logger.log('Mapped {/api/person/add, POST} route', 'RouterExplorer');
    expect(debug.lines.map((l) => [l.level, l.msg])).toEqual([[20, 'Mapped {/api/person/add, POST} route']]);
  });
});
