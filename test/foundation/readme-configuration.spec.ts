import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { readmeSection } from '../support/readme-commands';

// The README's Configuration table is what a newcomer sets; the gateway reads its settings in loadConfig. Each side
// is checked against the other: a variable the table names that nothing reads is a setting that silently does
// nothing, one read and not in the table cannot be found, and a default written otherwise than the code's misleads.

interface Row {
  names: string[];
  /** The "accepted" cell as written. */
  accepted: string;
  defaults: string[];
}

/**
 * Read by the gateway outside loadConfig, documented in the table all the same: PGAPPNAME by the database side
 * (src/database/process-tag.ts), at import, as PostgreSQL's own tools read it.
 */
const READ_ELSEWHERE = ['PGAPPNAME'];
/** Read in src/ and rightly not in the table: a test's hook, and npm's own variable (src/common/launcher-watch.ts). */
const NOT_SETTINGS = ['STATS_TEST_HOLD_MS', 'npm_lifecycle_event'];

function configurationTable(): Row[] {
  const rows: Row[] = [];
  for (const line of readmeSection('## Configuration').split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split(' | ');
    const names = [...cells[0].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]);
    const last = cells.at(-1)!.replace(/\s*\|\s*$/, '');
    const defaults = [...last.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    expect(cells.length, `${names.join(', ')}: variable | meaning | accepted | default`).toBeGreaterThanOrEqual(4);
    rows.push({ names, accepted: cells.at(-2)!.trim(), defaults: defaults.length ? defaults : [last.trim()] });
    // A default in words is one of these two; anything else would be checked as a value.
    if (!defaults.length) expect(last.trim(), names.join(', ')).toMatch(/^(unset|the system zone)$/);
  }
  return rows;
}

/** The names of the environment variables loadConfig reads. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get(_t, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  loadConfig(env);
  return read;
}

describe("the README's Configuration table", () => {
  const rows = configurationTable();
  const documented = rows.flatMap((r) => r.names);

  it('lists the settings, each once', () => {
    expect(documented.length).toBeGreaterThan(40);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('names exactly the variables the gateway reads at start', () => {
    const read = [...variablesRead(), ...READ_ELSEWHERE].sort();
    expect([...documented].sort()).toEqual(read);
  });

  it('names every environment variable read anywhere in src/ (but a test hook and npm\'s own)', () => {
    const names = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ts$/.test(e.name) && !/\.spec\.ts$/.test(e.name)) {
          // process.env.X, env.X and env['X'] (the parsers take the environment as `env`).
          for (const m of readFileSync(p, 'utf8').matchAll(/\benv(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\])/g)) names.add(m[1] ?? m[2]);
        }
      }
    };
    walk(path.resolve(__dirname, '../../src'));
    const unexplained = [...names].filter((n) => !documented.includes(n) && !NOT_SETTINGS.includes(n));
    expect(unexplained).toEqual([]);
    expect(names.size).toBeGreaterThan(40);
  });

  it('accepts what its "accepted" column says and refuses just past it, naming the variable', () => {
    // A range `a`–`b`: a and b are taken, a-1 and b+1 are refused ("`0` or `100`–`n`": 99 refused, 0 taken). Any
    // other value in backquotes is one that is taken. A backoff and its ceiling: "not below `BASE`" sets BASE to its
    // least, "not above `MAX`" sets MAX to its most, for the check. Words outside backquotes (a URL, a path) are
    // told, not checked here.
    const problems: string[] = [];
    const loads = (env: Record<string, string>): boolean => {
      try {
        loadConfig(env);
        return true;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const named = Object.keys(env).some((n) => err.message.includes(n));
        if (!named) problems.push(`${JSON.stringify(env)}: the message names none of them: ${err.message}`);
        return false;
      }
    };
    const rangeOf = new Map(rows.map((r) => [r.names[0], /`(\d+)`–`(\d+)`/.exec(r.accepted)?.slice(1, 3)]));
    let ranges = 0;
    for (const row of rows) {
      if (READ_ELSEWHERE.some((n) => row.names.includes(n))) continue;
      const [name] = row.names;
      const partner = /not (below|above) `([A-Z][A-Z0-9_]+)`/.exec(row.accepted);
      const partnerValue = partner && rangeOf.get(partner[2])?.[partner[1] === 'below' ? 0 : 1];
      if (partner && !partnerValue) problems.push(`${name}: ${partner[2]} has no range in the table`);
      const envOf = (v: string): Record<string, string> => (partner && partnerValue ? { [name]: v, [partner[2]]: partnerValue } : { [name]: v });
      const text = row.accepted.replace(/`(\d+)`–`(\d+)`/g, (_all, a: string, b: string) => {
        ranges++;
        const [lo, hi] = [BigInt(a), BigInt(b)];
        for (const v of [lo, hi]) if (!loads(envOf(String(v)))) problems.push(`${name}=${v} refused, though the README accepts it`);
        for (const v of [lo - 1n, hi + 1n]) {
          const listed = new RegExp(`\`${v}\``).test(row.accepted);
          if (v >= 0n && !listed && loads(envOf(String(v)))) problems.push(`${name}=${v} taken, outside the README's ${a}–${b}`);
          if (v < 0n && loads(envOf(String(v)))) problems.push(`${name}=${v} taken`);
        }
        return '';
      });
      for (const [, v] of text.matchAll(/`([^`]+)`/g)) {
        if (/^[A-Z][A-Z0-9_]+$/.test(v)) continue;
        if (!loads(envOf(v))) problems.push(`${name}=${v} refused, though the README accepts it`);
      }
    }
    expect(problems).toEqual([]);
    expect(ranges).toBeGreaterThan(30);
  });

  it('gives each default as the gateway applies it', () => {
    const unset = loadConfig({});
    const wrong: string[] = [];
    for (const row of rows) {
      // `unset`, "the system zone": nothing to set it to. Two names in a row have their defaults in the same order.
      if (/^(unset|the system zone)$/.test(row.defaults[0])) continue;
      expect(row.defaults.length, `${row.names.join(', ')}: ${row.defaults.join(', ')}`).toBe(row.names.length);
      row.names.forEach((name, i) => {
        // Setting a variable to its documented default changes nothing.
        const set = loadConfig({ [name]: row.defaults[i] });
        if (JSON.stringify(set) !== JSON.stringify(unset)) wrong.push(`${name}=${row.defaults[i]}`);
      });
    }
    expect(wrong).toEqual([]);
    expect(unset.dataDir).toBe(path.resolve('data'));
  });

  it('sets nothing a default would not: each variable, set otherwise, changes the configuration', () => {
    const unset = JSON.stringify(loadConfig({}));
    const other: Record<string, string> = {
      DATABASE_URL: 'postgres://u@h:5432/d', API_TOKEN: 'change-me-please', TIME_ZONE: 'Pacific/Chatham', DEVICE_COMM_KEY: 'abcd',
      EVENT_RETENTION_DAYS: '9', PUBLIC_URL: 'http://10.0.0.5:8088', CONSOLE_ADMIN_PASSWORD: 'change-me-admin',
      CONSOLE_ADMIN_ALLOW: '10.0.0.0/8', TRUST_PROXY: 'true', DEVICE_ADMISSION: 'auto', DEVICE_SN_CONFLICT: 'allow',
      LOG_LEVEL: 'debug', PARKING_UNLISTED: 'refuse', DEVICE_CLEAR_ON_ADD: 'false', HOST: '127.0.0.1', DATA_DIR: '/tmp/elsewhere',
      HEP_FEVER_THRESHOLD: '38', CONSOLE_SESSION_MAX_HOURS: '24', SYNC_GIVE_UP_FAILURES: '7', SYNC_RETRY_MAX_MS: '700000', SYNC_REFUSAL_PROBE_MAX_MS: '90000000', PUSH_CENTER_RETRY_MAX_MS: '400000', CONSOLE_PASSWORD_COST: '12',
    };
    const inert: string[] = [];
    for (const name of documented.filter((n) => !READ_ELSEWHERE.includes(n))) {
      const v = other[name] ?? '1234';
      if (JSON.stringify(loadConfig({ [name]: v })) === unset) inert.push(`${name}=${v}`);
    }
    expect(inert).toEqual([]);
  });
});
