import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { isStaleRunDatabase, serverIsLocal, sweepStaleDatabases, sweepStaleEmbeddedFiles } from '../support/stale-test-databases';

/** A pid that was a process here and has ended: a child that already exited. */
function endedPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('what an interrupted test run leaves behind is swept by the next run', () => {
  it('picks only suite names whose run has ended, on a server of this machine', () => {
    const dead = endedPid();
    expect(isStaleRunDatabase(`cvgw_test_lz3abc_${dead}_tpl`)).toBe(true);
    expect(isStaleRunDatabase(`cvgw_test_lz3abc_${dead}_${process.pid}_3_ab12cd`)).toBe(true);
    expect(isStaleRunDatabase(`cvgw_test_lz3abc_${dead}_empty_${process.pid}_1`)).toBe(true);
    // A run still going (this one) keeps its databases, and names the suite does not make are never touched.
    expect(isStaleRunDatabase(`cvgw_test_lz3abc_${process.pid}_tpl`)).toBe(false);
    expect(isStaleRunDatabase(`cvgw_test_lz3abc_${process.ppid}_tpl`)).toBe(false);
    expect(isStaleRunDatabase(`cvgw_test_bench_conv_${dead}`)).toBe(false);
    expect(isStaleRunDatabase(`cvgw_prod_lz3abc_${dead}`)).toBe(false);
    expect(isStaleRunDatabase(`payroll_lz3abc_${dead}`)).toBe(false);
    expect(serverIsLocal('postgres://postgres@127.0.0.1:5432/postgres')).toBe(true);
    expect(serverIsLocal('postgres://postgres@localhost/postgres')).toBe(true);
    expect(serverIsLocal('postgres://postgres@[::1]:5432/postgres')).toBe(true);
    expect(serverIsLocal('postgres://postgres@db.example.internal:5432/postgres')).toBe(false);
  });

  it('removes an ended run\'s embedded templates and keeps a running one\'s', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgw-sweep-'));
    const dead = endedPid();
    const stale = `cvgw_test_embedded_migrated_${dead}_lz3abc.tar`;
    const mine = `cvgw_test_embedded_migrated_${process.pid}_lz3abc.tar`;
    const other = 'notes.tar';
    for (const f of [stale, mine, other]) fs.writeFileSync(path.join(dir, f), 'x');
    expect(sweepStaleEmbeddedFiles(dir)).toEqual([stale]);
    expect(fs.readdirSync(dir).sort()).toEqual([mine, other].sort());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(inject('testDb').mode === 'pg')('drops an ended run\'s databases on PostgreSQL, not one in use', async () => {
    const plan = inject('testDb');
    if (plan.mode !== 'pg') return;
    const dead = endedPid();
    const stale = `cvgw_test_lz3abc_${dead}_4_zz99yy`;
    const busy = `cvgw_test_lz3abd_${dead}_5_zz99yy`;
    const admin = new Client({ connectionString: plan.adminUrl });
    await admin.connect();
    const holder = new Client({ connectionString: plan.adminUrl.replace(/\/[^/]*$/, `/${busy}`) });
    try {
      await admin.query(`CREATE DATABASE ${stale}`);
      await admin.query(`CREATE DATABASE ${busy}`);
      await holder.connect();
      const dropped = await sweepStaleDatabases(admin, plan.adminUrl);
      expect(dropped).toContain(stale);
      expect(dropped).not.toContain(busy);
      const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [[stale, busy]]);
      expect(rows.map((r) => r.datname)).toEqual([busy]);
      // This run's own template is never swept.
      const own = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [plan.template]);
      expect(own.rowCount).toBe(1);
    } finally {
      await holder.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${stale}`);
      await admin.query(`DROP DATABASE IF EXISTS ${busy}`);
      await admin.end();
    }
  });
});
