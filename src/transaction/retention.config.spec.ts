import { describe, expect, it } from 'vitest';
import { parseRetentionConfig } from './retention.config';

describe('EVENT_RETENTION_DAYS', () => {
  it('keeps events forever when unset or blank', () => {
    expect(parseRetentionConfig({})).toEqual({ retentionDays: undefined });
    expect(parseRetentionConfig({ EVENT_RETENTION_DAYS: '  ' })).toEqual({ retentionDays: undefined });
  });

  it('reads a whole number of days', () => {
    expect(parseRetentionConfig({ EVENT_RETENTION_DAYS: ' 90 ' })).toEqual({ retentionDays: 90 });
  });

  it.each(['0', '-1', '1.5', 'ten', '36501'])('refuses %s, naming the variable', (v) => {
    expect(() => parseRetentionConfig({ EVENT_RETENTION_DAYS: v })).toThrow(/EVENT_RETENTION_DAYS/);
  });
});
