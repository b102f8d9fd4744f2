import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { readmeSection } from '../support/readme-commands';

// The README's Configuration table is what a newcomer sets; the gateway reads its settings in loadConfig. Each side
// is checked against the other: a variable the table names that nothing reads is a setting that silently does
// nothing, one read and not in the table cannot be found, and a default written otherwise than the code's misleads.

interface Row {
  names: string[];
  defaults: string[];
}

function configurationTable(): Row[] {
  const rows: Row[] = [];
  for (const line of readmeSection('## Configuration').split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split(' | ');
    const names = [...cells[0].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]);
    const last = cells.at(-1)!.replace(/\s*\|\s*$/, '');
    const defaults = [...last.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    rows.push({ names, defaults: defaults.length ? defaults : [last.trim()] });
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
    const read = [...variablesRead()].sort();
    expect([...documented].sort()).toEqual(read);
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
    for (const name of documented) {
      const v = other[name] ?? '1234';
      if (JSON.stringify(loadConfig({ [name]: v })) === unset) inert.push(`${name}=${v}`);
    }
    expect(inert).toEqual([]);
  });
});
