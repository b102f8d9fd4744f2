import * as fs from 'node:fs';

/**
 * `npm start` runs the gateway as npm → sh -c → node. Killing npm with -9 (a supervisor, an operator's kill, a
 * CI job's timeout) cannot be passed on: the gateway lived on, orphaned, holding the port and the embedded data
 * directory, so starting it again stopped with "in use" (exit code 3) until someone found the orphan's pid. When
 * started through an npm script, the gateway watches the processes that launched it (its parent, and the
 * parent's parent while the parent is a shell) and stops as on SIGTERM once one of them is gone.
 */

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'busybox']);
export const CHECK_EVERY_MS = 1_000;

/** Parent pid, command name and start time of `pid` (Linux /proc); undefined elsewhere or when it is gone. */
function stat(pid: number): { ppid: number; comm: string; start: string } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    // Fields after the command name: state (3), ppid (4) … starttime (22).
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), comm, start: rest[19] };
  } catch {
    return undefined;
  }
}

function alive(pid: number, start: string | undefined): boolean {
  if (start !== undefined) return stat(pid)?.start === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The launcher processes to watch: none unless started by an npm script (npm sets npm_lifecycle_event). */
export function launchers(env: NodeJS.ProcessEnv = process.env): Array<{ pid: number; start: string | undefined }> {
  if (!env.npm_lifecycle_event || process.ppid <= 1) return [];
  const parent = stat(process.ppid);
  const watched = [{ pid: process.ppid, start: parent?.start }];
  if (parent && SHELLS.has(parent.comm) && parent.ppid > 1) watched.push({ pid: parent.ppid, start: stat(parent.ppid)?.start });
  return watched;
}

/** Calls `gone` once when a launcher process ends; returns a function that stops watching. */
export function watchLaunchers(gone: (pid: number) => void, env: NodeJS.ProcessEnv = process.env): () => void {
  const watched = launchers(env);
  if (!watched.length) return () => undefined;
  const timer = setInterval(() => {
    const dead = watched.find((w) => !alive(w.pid, w.start));
    if (!dead) return;
    clearInterval(timer);
    gone(dead.pid);
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
