/**
 * The data directory's lock as a start right after `kill -9` of `npm start` reads it: the orphaned gateway still
 * holds it, not yet marked stopping (it notices its launcher's end at its next check, every second).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { waitWhileDataDirectoryStopping } from './embedded-database';

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const h of holders.splice(0)) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
});

/** A live process named by the lock of a fresh directory, as a running gateway would be (no identity line). */
function heldDirectory(): { dir: string; holder: ChildProcess; lockPath: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgw-lock-'));
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  holders.push(holder);
  const lockPath = path.join(dir, 'gateway.lock');
  fs.writeFileSync(lockPath, `${holder.pid}\n\n`);
  return { dir, holder, lockPath };
}

it('follows a holder that says it stops within the grace, and returns once it has ended', async () => {
  const { dir, holder, lockPath } = heldDirectory();
  // The orphan notices its launcher's end a moment after the new start read the lock, then stops.
  setTimeout(() => fs.writeFileSync(lockPath, `${holder.pid}\n\nstopping\n`), 700);
  setTimeout(() => holder.kill('SIGKILL'), 1_500);
  expect(await waitWhileDataDirectoryStopping(dir, 20_000, 2_500)).toBe(true);
  // Returned because the holder ended, not at once: its exit is seen by now.
  await new Promise((r) => setTimeout(r, 50));
  expect(holder.exitCode !== null || holder.signalCode !== null).toBe(true);
});

it('without the grace, a holder not yet stopping is not waited for (the start then refuses "in use")', async () => {
  const { dir, holder } = heldDirectory();
  expect(await waitWhileDataDirectoryStopping(dir, 20_000)).toBe(true);
  expect(holder.exitCode).toBeNull();
});

it('a holder that keeps running past the grace is a gateway really running: not waited for longer', async () => {
  const { dir, holder } = heldDirectory();
  expect(await waitWhileDataDirectoryStopping(dir, 20_000, 600)).toBe(true);
  expect(holder.exitCode).toBeNull();
});
