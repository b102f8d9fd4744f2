#!/usr/bin/env node
// Some registries serve only part of a package's per-platform builds (for example no macOS or Windows
// binaries of @swc/core or rollup). `npm install` then leaves those optional dependencies out of
// package-lock.json, and `npm ci` refuses the lock as out of sync. This adds the missing entries, marked
// optional with the os/cpu/libc their names state, so `npm ci` skips them on other platforms as npm
// would have. Run it after changing dependencies: node scripts/complete-lockfile.mjs
import * as fs from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'android', 'openharmony', 'sunos', 'aix'];
const CPU = { arm64: 'arm64', aarch64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mips64el' };

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  let cpu = parts.map((p) => CPU[p]).find(Boolean);
  let libc;
  for (const p of parts) {
    if (p === 'gnu' || p === 'gnueabihf') libc = 'glibc';
    if (p === 'musl' || p === 'musleabihf') libc = 'musl';
    if (p === 'gnueabihf' || p === 'musleabihf') cpu = 'arm';
  }
  return { os, cpu, libc };
}

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    // npm resolves a dependency from the nearest node_modules up the tree.
    const candidates = [];
    let dir = base;
    for (;;) {
      candidates.push(`${dir}node_modules/${dep}`);
      const i = dir.lastIndexOf('node_modules/');
      if (i < 0) break;
      dir = dir.slice(0, i);
    }
    if (candidates.some((c) => pkgs[c])) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue;
    const target = `node_modules/${dep}`;
    pkgs[target] = {
      version: String(version).replace(/^[\^~=]/, ''),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(entry.devOptional ? { devOptional: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      os: [os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`added ${added} optional platform entries to ${file}\n`);
