import { describe, expect, it } from 'vitest';
import { QueryFailedError } from 'typeorm';
import { mapError } from '../common/exception.filter';
import { endsConnection, isDatabaseUnavailable, noteConnectionLost } from './unavailable';

const pgError = (code: string, severity = 'ERROR') => Object.assign(new Error(`pg ${code}`), { code, severity });

describe('isDatabaseUnavailable', () => {
  it('knows the server away, a cut connection and a cancelled statement, raw or wrapped by TypeORM', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      pgError('57P01', 'FATAL'),
      pgError('57P03', 'FATAL'),
      pgError('53300', 'FATAL'),
      pgError('57014'),
      pgError('55P03'),
      Object.assign(new Error('database "cvgw" is not currently accepting connections'), { code: '55000', severity: 'FATAL' }),
      new QueryFailedError('SELECT 1', [], pgError('57P01', 'FATAL')),
    ]) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    }
  });

  it('leaves request and program errors alone', () => {
    for (const err of [pgError('23505'), pgError('22P02'), pgError('55000'), new TypeError('x is undefined'), new Error('boom'), null, 'text']) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(false);
    }
  });

  it('takes a released query runner for a lost connection only right after one', () => {
    const released = Object.assign(new Error('Query runner already released'), { name: 'QueryRunnerAlreadyReleasedError' });
    noteConnectionLost(1_000_000);
    expect(isDatabaseUnavailable(released, 1_005_000)).toBe(true);
    expect(isDatabaseUnavailable(released, 1_020_000)).toBe(false);
  });

  it('maps to the -503 envelope on HTTP 200 with a Retry-After, and 503 for a device', () => {
    expect(mapError(pgError('57P01', 'FATAL'))).toMatchObject({ status: 200, code: -503, retry: { after: '5', deviceStatus: 503 } });
  });

  it('drops a connection the server ended, keeps one that answered an error', () => {
    expect(endsConnection(pgError('23505'))).toBe(false);
    expect(endsConnection(pgError('57014'))).toBe(false);
    expect(endsConnection(pgError('57P01', 'FATAL'))).toBe(true);
    expect(endsConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
  });
});
