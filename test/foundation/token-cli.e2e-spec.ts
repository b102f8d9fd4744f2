import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTokenCommand } from '../../src/cli/token';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function token(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = t.db.url;
  try {
    const code = await runTokenCommand(args, (l) => lines.push(l));
    return { code, lines };
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

describe('npm run token', () => {
  it('creates a client whose token works, lists it, and revokes it', async () => {
    const created = await token(['create', 'payroll']);
    expect(created.code).toBe(0);
    const secret = created.lines[1];
    expect(secret).toMatch(/^[0-9a-f]{40}$/);
    expect((await t.request('GET', '/api/department/get/1', { query: { access_token: secret } })).body.code).toBe(0);

    const listed = await token(['list']);
    expect(listed.lines.some((l) => l.startsWith('payroll\tyes\t'))).toBe(true);
    expect(listed.lines.join('\n')).not.toContain(secret);

    expect((await token(['create', 'payroll'])).code).toBe(1);
    expect((await token(['revoke', 'payroll'])).code).toBe(0);
    expect((await token(['revoke', 'nobody'])).code).toBe(1);
    expect((await token(['list'])).lines.some((l) => l.startsWith('payroll\tno\t'))).toBe(true);

    // The name is issued again after its revocation: a new token that works (the old one's hash is gone; the
    // gateway process here may still hold it verified for its cache's 10 s, as after any revocation by the CLI).
    const again = await token(['create', 'payroll']);
    expect(again.code).toBe(0);
    expect(again.lines[0]).toContain('was revoked');
    expect(again.lines[1]).toMatch(/^[0-9a-f]{40}$/);
    expect((await t.request('GET', '/api/department/get/1', { query: { access_token: again.lines[1] } })).body.code).toBe(0);
    expect(await t.ds.query(`SELECT 1 FROM api_client WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [secret])).toEqual([]);
    expect((await token(['list'])).lines.some((l) => l.startsWith('payroll\tyes\t'))).toBe(true);
  });

  it('stores only a hash of the token', async () => {
    const created = await token(['create', 'hash-check']);
    const rows = await t.ds.query(`SELECT token_hash FROM api_client WHERE name = 'hash-check'`);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(created.lines[1]);
  });

  it('prints usage for a bad command', async () => {
    expect((await token(['frobnicate'])).code).toBe(2);
    expect((await token(['create'])).code).toBe(2);
  });

  it('refuses a word its command does not take instead of skipping it: list already shows every client, revoked ones too', async () => {
    for (const [args, problem] of [
      [['list', '--all'], 'list: unknown option --all'],
      [['list', 'payroll'], 'list: unexpected argument "payroll"'],
      [['create', 'extra-a', 'extra-b'], 'create: unexpected argument "extra-b"'],
      [['revoke', 'nobody', '--force'], 'revoke: unknown option --force'],
    ] as const) {
      const refused = await token([...args]);
      expect(refused, args.join(' ')).toEqual({ code: 2, lines: [problem, 'usage: npm run token -- create <name> | list | revoke <name>'] });
    }
    expect(await t.ds.query(`SELECT name FROM api_client WHERE name LIKE 'extra-%'`)).toEqual([]);
  });
});
