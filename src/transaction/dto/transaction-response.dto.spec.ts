import { describe, expect, it } from 'vitest';
import { transactionIdFromApi, transactionIdToApi } from './transaction-response.dto';

describe('transaction ids', () => {
  it('show as 32 hex characters and read back in that form or as the number', () => {
    expect(transactionIdToApi('42')).toBe('0000000000000000000000000000002a');
    expect(transactionIdFromApi('0000000000000000000000000000002a')).toBe('42');
    expect(transactionIdFromApi('0000000000000000000000000000002A')).toBe('42');
    expect(transactionIdFromApi(' 42 ')).toBe('42');
  });

  it('refuse what cannot be an event id', () => {
    for (const bad of ['', 'abc', '0', '-1', 'ffffffffffffffffffffffffffffffff', '99999999999999999999', undefined, null]) expect(transactionIdFromApi(bad)).toBeUndefined();
  });
});
