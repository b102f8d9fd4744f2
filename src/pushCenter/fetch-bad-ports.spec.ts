import { describe, expect, it } from 'vitest';
import { FETCH_BAD_PORTS, urlPort } from './fetch-bad-ports';

/** Whether this Node's fetch refuses the port itself (before any connection): its error's cause says "bad port". */
async function fetchSaysBadPort(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (e) {
    return (e as { cause?: { message?: string } }).cause?.message === 'bad port';
  }
}

describe('the ports fetch refuses', () => {
  it('are those the list names: every listed port is refused, and its unlisted neighbours are not', async () => {
    const neighbours = new Set<number>();
    for (const p of FETCH_BAD_PORTS) for (const n of [p - 1, p + 1]) if (n > 0 && !FETCH_BAD_PORTS.has(n)) neighbours.add(n);
    for (const p of FETCH_BAD_PORTS) expect(await fetchSaysBadPort(p), `port ${p}`).toBe(true);
    for (const p of neighbours) expect(await fetchSaysBadPort(p), `port ${p}`).toBe(false);
  });

  it("reads a URL's port, its scheme's default when none is written", () => {
    expect(urlPort('http://h:6000/x')).toBe(6000);
    expect(urlPort('http://h/x')).toBe(80);
    expect(urlPort('https://h/x')).toBe(443);
    expect(urlPort('not a url')).toBeUndefined();
  });
});
