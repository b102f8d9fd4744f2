import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './password';

describe('operator passwords (scrypt)', () => {
  it('verifies the right password and refuses a wrong one; two hashes of one password differ (salt)', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    await expect(verifyPassword('correct horse battery', a)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', a)).resolves.toBe(false);
    await expect(verifyPassword('x', 'not-a-hash')).resolves.toBe(false);
  });

  it('hashes at a lower cost when asked, and checks each hash at the cost stored with it', async () => {
    const cheap = await hashPassword('correct horse battery', 10);
    expect(cheap).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(verifyPassword('correct horse battery', cheap)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', cheap)).resolves.toBe(false);
  });

  it('asks for at least 10 characters', () => {
    expect(passwordProblem('short')).toMatch(/10 characters/);
    expect(passwordProblem('long enough pass')).toBeUndefined();
  });
});
