import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HEAVY_LOAD_SEEN, MAIN_JS } from '../support/gateway-process';

// The README's Configuration section: "a bad value stops the process with a message that names the variable
// (exit code 2)", before the gateway loads its own modules. A value the start-up check let through and the HTTP
// framework refused later (TRUST_PROXY=999.1.1.1: proxy-addr's "invalid IP address") crashed the start with a
// stack and exit code 1, after Nest had loaded.

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgw-config-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...HEAVY_LOAD_SEEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr, dataDir };
}

describe('a bad configuration value stops the start with exit code 2, naming the variable', () => {
  it.each([
    ['an address that is none', '999.1.1.1'],
    ['a prefix longer than the address family has', '10.0.0.0/33'],
    ['an IPv6 prefix over 128', '10.0.0.1, ::1/129'],
  ])('TRUST_PROXY: %s', async (_, value) => {
    const { code, stdout, stderr, dataDir } = await start({ TRUST_PROXY: value });
    expect(stderr).toContain('TRUST_PROXY must be true, false, a hop count from 0 to 99 or a comma list of proxy addresses/CIDRs');
    expect(stderr).not.toContain('    at ');
    // Said before the database or Nest started (slow-load.cjs says when @nestjs/core loads).
    expect(stderr).not.toContain('slow-load: holding');
    expect(stdout).not.toContain('starting the embedded database');
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(code).toBe(2);
  }, 90_000);

  // A zero backoff re-sent refused work in a tight loop, and DEVICE_CLEAR_ON_ADD's message named two of its four forms.
  it.each([
    ['SYNC_RETRY_BASE_MS', '0', 'SYNC_RETRY_BASE_MS must be a whole number from 100 to 86400000, got "0"'],
    ['SYNC_RECONCILE_INTERVAL_MS', '1', 'SYNC_RECONCILE_INTERVAL_MS must be 0 (off) or a whole number of milliseconds from 100 to 86400000, got "1"'],
    ['DEVICE_CLEAR_ON_ADD', 'yes', 'DEVICE_CLEAR_ON_ADD must be true, false, 1 or 0 (any case), got "yes"'],
  ])('%s=%s', async (name, value, message) => {
    const { code, stdout, stderr, dataDir } = await start({ [name]: value });
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('    at ');
    expect(stdout).not.toContain('starting the embedded database');
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(code).toBe(2);
  }, 90_000);
});
