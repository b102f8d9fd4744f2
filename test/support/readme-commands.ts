import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';

/**
 * The README's `curl` examples, read from the README itself so that a test runs the commands a newcomer copies:
 * a section's ```sh blocks, continuation lines joined, split into shell words the way bash does for these lines
 * ('…', "…" with $G and $T expanded, $'…' with \t and \n, a # comment after a blank).
 */
export interface CurlCommand {
  line: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The text of the README section that starts with `heading`, up to the next heading of its level or above
 * (with `ownText`, up to its first subsection: "## Walk-through"'s numbered steps without the "###" walk-throughs after them).
 */
export function readmeSection(heading: string, ownText = false): string {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`the README has no section ${heading}`);
  const level = heading.indexOf(' ');
  // Up to the next heading of its level or above, outside code blocks (whose shell comments start with #).
  const lines = readme.slice(start + heading.length + 2).split('\n');
  let fenced = false;
  const end = lines.findIndex((l) => {
    if (l.trimStart().startsWith('```')) fenced = !fenced;
    return !fenced && new RegExp(`^#{1,${ownText ? 6 : level}} `).test(l);
  });
  return (end < 0 ? lines : lines.slice(0, end)).join('\n');
}

/** Whether the line ends inside a '…', "…" or $'…' word (a # comment after a blank does not count). */
function unterminated(line: string): boolean {
  for (let i = 0, start = true; i < line.length; ) {
    const c = line[i];
    if (c === '#' && start) return false;
    const q = c === '$' && line[i + 1] === "'" ? 2 : c === "'" || c === '"' ? 1 : 0;
    if (q) {
      const j = line.indexOf(line[i + q - 1], i + q);
      if (j < 0) return true;
      i = j + 1;
    } else i++;
    start = /\s/.test(c);
  }
  return false;
}

function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  const expand = (s: string) => s.replace(/\$(\w+)/g, (m, v: string) => vars[v] ?? m);
  for (let i = 0; i < line.length; ) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
      i++;
    } else if (c === '#' && cur === undefined) {
      break;
    } else if (c === "'") {
      const j = line.indexOf("'", i + 1);
      cur = (cur ?? '') + line.slice(i + 1, j);
      i = j + 1;
    } else if (c === '$' && line[i + 1] === "'") {
      const j = line.indexOf("'", i + 2);
      cur = (cur ?? '') + line.slice(i + 2, j).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
      i = j + 1;
    } else if (c === '"') {
      const j = line.indexOf('"', i + 1);
      cur = (cur ?? '') + expand(line.slice(i + 1, j));
      i = j + 1;
    } else {
      const m = /^[^\s'"]+/.exec(line.slice(i))![0];
      cur = (cur ?? '') + expand(m);
      i += m.length;
    }
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** One command line of a section's ```sh blocks (continuation lines joined), and its shell words. */
export interface ShellLine {
  line: string;
  words: string[];
}

/** Every command line of the section's ```sh blocks, split into words with `vars` ($G, $T) expanded. */
export function readmeShellLines(heading: string, vars: Record<string, string>, ownText = false): ShellLine[] {
  const lines: ShellLine[] = [];
  for (const block of readmeSection(heading, ownText).matchAll(/```sh\n([\s\S]*?)```/g)) {
    let open = '';
    for (const physical of block[1].replace(/\\\n\s*/g, ' ').split('\n')) {
      // A quoted word may go on over the next lines (a JSON body written over three), as bash reads it.
      const line = open ? `${open}\n${physical}` : physical.trim();
      if (unterminated(line)) {
        open = line;
        continue;
      }
      open = '';
      const w = words(line, vars);
      if (w.length) lines.push({ line, words: w });
    }
    if (open) throw new Error(`a quote the README's ${heading} never closes: ${open}`);
  }
  return lines;
}

/** Every `curl` command of the section's ```sh blocks, with `vars` ($G, $T) expanded. */
export function readmeCurls(heading: string, vars: Record<string, string>, ownText = false): CurlCommand[] {
  const commands: CurlCommand[] = [];
  for (const { line, words: all } of readmeShellLines(heading, vars, ownText)) {
    if (all[0] !== 'curl') continue;
    const w = all.slice(1);
    const cmd: CurlCommand = { line, method: '', url: '', headers: {} };
    for (let i = 0; i < w.length; i++) {
      if (w[i] === '-X') cmd.method = w[++i];
      else if (w[i] === '-H') {
        const [k, ...v] = w[++i].split(':');
        cmd.headers[k.trim().toLowerCase()] = v.join(':').trim();
      } else if (w[i] === '-d' || w[i] === '--data-binary') cmd.body = w[++i];
      else if (w[i].startsWith('-')) throw new Error(`a curl option the README tests do not read: ${w[i]} in ${line}`);
      else cmd.url = w[i];
    }
    // curl's own defaults: POST with a body, and -d's form type when no content type is given.
    cmd.method ||= cmd.body === undefined ? 'GET' : 'POST';
    if (cmd.body !== undefined) cmd.headers['content-type'] ??= 'application/x-www-form-urlencoded';
    commands.push(cmd);
  }
  return commands;
}

/** Runs one, as curl would, and answers the status and the body's text. */
export async function runCurl(cmd: CurlCommand): Promise<{ status: number; text: string }> {
  const res = await fetch(cmd.url, { method: cmd.method, headers: cmd.headers, body: cmd.body });
  return { status: res.status, text: await res.text() };
}

/**
 * Runs a section's `curl` commands by a part of their line, each found once (`at` maps the README's address to the
 * test's gateway; `fill` replaces what the README says to copy in, such as `<the level id>`, in the URL and body),
 * each expected to answer HTTP 200 with JSON; `notRun()` lists the lines no test step ran.
 */
export function curlRunner(curls: CurlCommand[], at: (url: string) => string = (u) => u) {
  const ran = new Set<CurlCommand>();
  const find = (part: string) => {
    const c = curls.filter((x) => x.line.includes(part));
    if (c.length !== 1) throw new Error(`the README has ${c.length} curl lines with ${part}`);
    return c[0];
  };
  return {
    find,
    async json(part: string, fill: Record<string, string> = {}) {
      const c = find(part);
      ran.add(c);
      let url = at(c.url);
      let body = c.body;
      for (const [k, v] of Object.entries(fill)) {
        if (!url.includes(k) && !body?.includes(k)) throw new Error(`the README's ${c.line} has no ${k}`);
        url = url.replace(k, v);
        body = body?.replace(k, v);
      }
      const r = await runCurl({ ...c, url, body });
      expect(r.status, c.line).toBe(200);
      return JSON.parse(r.text);
    },
    notRun: () => curls.filter((c) => !ran.has(c)).map((c) => c.line),
  };
}
