import { describe, expect, it } from 'vitest';
import { WriteCoalescer, type ItemResult } from './write-coalescer';

/** A coalescer whose batches finish when the test says so; records each batch's items. */
function harness(parallel: number, fill: number) {
  const batches: number[][] = [];
  const finish: Array<() => void> = [];
  const held = (items: number[]) =>
    new Promise<Array<ItemResult<number>>>((resolve) => {
      batches.push(items);
      finish.push(() => resolve(items.map((v) => ({ ok: true as const, value: v }))));
    });
  const c = new WriteCoalescer<number, number>(held, (i) => held([i]).then((r) => (r[0] as { value: number }).value), 16, parallel, fill);
  return { c, batches, finish };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('WriteCoalescer', () => {
  it('runs a lone request at once', async () => {
    const h = harness(2, 8);
    const p = h.c.submit(1);
    await tick();
    expect(h.batches).toEqual([[1]]);
    h.finish[0]();
    await expect(p).resolves.toBe(1);
  });

  it('while a batch runs, starts a second one only once `fill` requests wait, else takes them all when the first ends', async () => {
    const h = harness(2, 4);
    const answers = [h.c.submit(0)];
    await tick();
    for (let i = 1; i <= 3; i++) answers.push(h.c.submit(i));
    await tick();
    expect(h.batches).toEqual([[0]]);
    answers.push(h.c.submit(4));
    await tick();
    expect(h.batches).toEqual([[0], [1, 2, 3, 4]]);
    answers.push(h.c.submit(5), h.c.submit(6));
    await tick();
    expect(h.batches).toHaveLength(2);
    h.finish[0]();
    await tick();
    expect(h.batches).toHaveLength(2);
    h.finish[1]();
    await tick();
    expect(h.batches).toEqual([[0], [1, 2, 3, 4], [5, 6]]);
    h.finish[2]();
    await expect(Promise.all(answers)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
