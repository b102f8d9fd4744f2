#!/usr/bin/env node
// `npm run build`: the server (nest build) then the console (vite build), one build at a time per checkout.
//
// Both steps empty their output first (nest's deleteOutDir, vite's emptyOutDir). Two builds at once (the
// README's `npm start` still building while `npm run simulate` in a second terminal found dist/ missing and
// built too) deleted each other's files: the gateway then stopped at start on a module that was not there.
// So every build (this script, `npm start`'s and the tools' ensure-built.mjs) holds `.build.lock` while it
// runs; a second one waits for it, then builds only if still due.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

/** A lock whose holder died (killed mid-build) or that is older than any build takes is taken over. */
const STALE_MS = 15 * 60_000;
const WAIT_MS = 20 * 60_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The lock's holder, or null when the lock is free or stale (then removed). */
function holder(lock) {
  let pid;
  let age;
  try {
    pid = Number(readFileSync(lock, 'utf8').trim());
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return null; // released between our attempt and this read
  }
  // No pid yet is a lock being written this instant: give its writer a moment (and no more: garbage is stale).
  if (!(pid > 0) && age < 5_000) return 0;
  if (pid > 0 && alive(pid) && age < STALE_MS) return pid;
  rmSync(lock, { force: true });
  return null;
}

/** Runs `fn` holding the checkout's build lock (`dir/.build.lock`), waiting for another build to end first. */
export function withBuildLock(fn, dir = root) {
  const lock = path.join(dir, '.build.lock');
  const deadline = Date.now() + WAIT_MS;
  let told = false;
  for (;;) {
    let fd;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const pid = holder(lock);
      if (pid === null) continue;
      if (Date.now() > deadline) throw new Error(`another build (pid ${pid}) has held ${lock} for too long; remove it if no build is running`);
      if (!told) console.error(`waiting for the build already running${pid ? ` (pid ${pid})` : ''}...`);
      told = true;
      sleep(250);
      continue;
    }
    // Ctrl-C during `npm start`'s build reaches this process and the build's alike: without a handler this
    // process would die at once and leave the lock behind. With one, the build step ends, the lock is removed,
    // and the build answers failure.
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const noted = () => undefined;
    for (const sig of signals) process.on(sig, noted);
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return fn();
    } finally {
      rmSync(lock, { force: true });
      for (const sig of signals) process.off(sig, noted);
    }
  }
}

/** The build itself (call it holding the lock): exit status 0 when both steps succeed. */
export function runBuild(dir = root) {
  const steps = [
    [bin('nest'), ['build']],
    [bin('vite'), ['build', '--config', 'src/console/web/vite.config.mts']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { cwd: dir, stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(withBuildLock(() => runBuild()));
}
