import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startGuide } from '../../src/start-guide';
import { readmeSection } from '../support/readme-commands';

// "On a fresh machine" shows the lines a newcomer's first `npm start` prints once it listens, and quotes what it says
// meanwhile. The walk-through tests run its commands; these check that the lines shown are the ones printed.
const SECTION = readmeSection('## On a fresh machine');

/** The section's example log lines: level and msg, each `…` in a msg standing for text the README leaves out. */
function shownLines(): Array<{ level: number; msg: string }> {
  const lines = SECTION.split('\n').filter((l) => l.startsWith('{"level":'));
  return lines.map((l) => {
    const level = /^\{"level":(\d+)/.exec(l)![1];
    const msg = /"msg":("(?:[^"\\]|\\.)*")\}$/.exec(l);
    if (!msg) throw new Error(`not a log line: ${l}`);
    return { level: Number(level), msg: JSON.parse(msg[1]) as string };
  });
}

function shownAs(msg: string): RegExp {
  return new RegExp(`^${msg.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`);
}

function sourceText(dir: string): string {
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .map((f) => (statSync(f).isDirectory() ? sourceText(f) : f.endsWith('.ts') || f.endsWith('.mjs') ? readFileSync(f, 'utf8') : ''))
    .join('\n');
}

describe("README: On a fresh machine's start lines", () => {
  it('are the lines a fresh embedded start at port 8088 prints, in order and at their levels (10.0.0.5 the LAN address)', () => {
    const guide = startGuide({ port: 8088, host: '0.0.0.0', embedded: true, operators: 0, apiClients: 0, lanAddresses: ['10.0.0.5'], npmScripts: true });
    const printed = [...guide.info.map((msg) => ({ level: 30, msg })), ...guide.warn.map((msg) => ({ level: 40, msg }))];
    const shown = shownLines();
    expect(shown.map((l) => l.level)).toEqual(printed.map((l) => l.level));
    shown.forEach((line, i) => expect(printed[i].msg, `README line ${i + 1}`).toMatch(shownAs(line.msg)));
  });

  it('quotes what the start says meanwhile as the sources write it', () => {
    const sources = `${sourceText(path.resolve('src'))}\n${sourceText(path.resolve('scripts'))}`;
    const prose = SECTION.split('\n').filter((l) => !l.trimStart().startsWith('```')).join('\n');
    const quoted = [...prose.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((q) => /^(building|starting|applying|SIGINT|stopped)\b/.test(q));
    expect(quoted.length).toBeGreaterThanOrEqual(5);
    for (const q of quoted) {
      // The quoted text up to its first `…` or `(`, where the README elides or fills in a value.
      const fixed = q.split(/…|\(/)[0].trim();
      expect(sources.includes(fixed.startsWith('SIGINT ') ? fixed.slice('SIGINT'.length) : fixed), `README quotes \`${q}\`, which no source writes`).toBe(true);
    }
  });
});
