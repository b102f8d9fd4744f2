import { describe, expect, it } from 'vitest';
import { GroupCommit, type BatchClient, type TransactionRunner } from './group-commit';

/** A fake database: records each transaction's items; commits when `gate` lets it. */
function fakeDb(opts: { failWhen?: (items: readonly number[]) => boolean } = {}) {
  const committed: number[][] = [];
  const started: number[][] = [];
  let open = 0;
  let maxOpen = 0;
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const db: BatchClient = { query: async () => [] };
  const runner: TransactionRunner = async (fn) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    try {
      const r = await fn(db);
      if (gate) await gate;
      return r;
    } finally {
      open--;
    }
  };
  const kind = (maxInFlight = 2) => ({
    name: 'test',
    maxInFlight,
    maxItems: 100,
    flush: async (_db: BatchClient, items: readonly number[]) => {
      started.push([...items]);
      await new Promise((r) => setTimeout(r, 5));
      if (opts.failWhen?.(items)) throw new Error(`bad item in ${items.join(',')}`);
      committed.push([...items]);
      return items.map((i) => i * 10);
    },
  });
  return {
    committed,
    started,
    runner,
    kind,
    get maxOpen() {
      return maxOpen;
    },
    hold() {
      gate = new Promise((r) => (release = r));
    },
    commit() {
      gate = undefined;
      release?.();
    },
  };
}

describe('GroupCommit', () => {
  it('writes concurrent submissions together and answers each with its own result', async () => {
    const f = fakeDb();
    const gc = new GroupCommit(f.kind(1), f.runner);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => gc.submit(i)));
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => i * 10));
    expect(f.committed.length).toBeLessThan(30);
    expect(f.committed.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('keeps at most maxInFlight transactions open and batches what queues meanwhile', async () => {
    const f = fakeDb();
    const gc = new GroupCommit(f.kind(2), f.runner);
    const all: Array<Promise<number>> = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) all.push(gc.submit(round * 10 + i));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(all);
    expect(f.maxOpen).toBeLessThanOrEqual(2);
    expect(f.committed.flat()).toHaveLength(50);
    expect(Math.max(...f.committed.map((b) => b.length))).toBeGreaterThan(1);
  });

  it('starts a second transaction beside a running one only once overlapAt items have queued', async () => {
    const f = fakeDb();
    f.hold();
    const gc = new GroupCommit({ ...f.kind(2), overlapAt: 3 }, f.runner);
    const all = [gc.submit(1)];
    await new Promise((r) => setTimeout(r, 20)); // [1] is in flight, held before its commit
    all.push(gc.submit(2), gc.submit(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(f.started).toEqual([[1]]); // two queued: they wait for [1]
    all.push(gc.submit(4));
    await new Promise((r) => setTimeout(r, 20));
    expect(f.started).toEqual([[1], [2, 3, 4]]); // three queued: a second transaction
    f.commit();
    await Promise.all(all);
    expect(f.committed.flat().sort()).toEqual([1, 2, 3, 4]);
  });

  it('answers nobody before the transaction holding their item has committed', async () => {
    const f = fakeDb();
    f.hold();
    const gc = new GroupCommit(f.kind(1), f.runner);
    let answered = 0;
    const p = Promise.all([1, 2, 3].map((i) => gc.submit(i).then(() => answered++)));
    await new Promise((r) => setTimeout(r, 30));
    expect(f.committed.flat()).toEqual([1, 2, 3]); // written, not yet committed
    expect(answered).toBe(0);
    f.commit();
    await p;
    expect(answered).toBe(3);
  });

  it("rewrites a failed batch item by item: only the bad item fails, its neighbours' items are committed", async () => {
    const f = fakeDb({ failWhen: (items) => items.includes(13) });
    const gc = new GroupCommit(f.kind(1), f.runner);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => gc.submit(i)));
    expect(outcomes[13]).toMatchObject({ status: 'rejected' });
    outcomes.forEach((o, i) => {
      if (i !== 13) expect(o).toEqual({ status: 'fulfilled', value: i * 10 });
    });
    expect(f.committed.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 13));
    // The bad item was first tried with others (a batch), then alone.
    expect(f.started.some((b) => b.length > 1 && b.includes(13))).toBe(true);
    expect(f.started.some((b) => b.length === 1 && b[0] === 13)).toBe(true);
  });

  it('reports idle once everything queued has been written', async () => {
    const f = fakeDb();
    const gc = new GroupCommit(f.kind(1), f.runner);
    const p = Promise.all([1, 2, 3].map((i) => gc.submit(i)));
    expect(gc.pending).toBe(3);
    await gc.idle();
    expect(gc.pending).toBe(0);
    await p;
  });
});

describe('GroupCommit items that are a batch by themselves', () => {
  it('writes them at once in transactions of their own, past the in-flight bound, while small items are batched', async () => {
    const f = fakeDb();
    const gc = new GroupCommit({ ...f.kind(1), alone: (i: number) => i >= 100 }, f.runner);
    const results = await Promise.all([100, 101, 102, 1, 2, 3].map((i) => gc.submit(i)));
    expect(results).toEqual([1000, 1010, 1020, 10, 20, 30]);
    expect(f.committed.filter((b) => b.some((i) => i >= 100))).toEqual([[100], [101], [102]]);
    expect(f.committed.filter((b) => b.some((i) => i < 100))).toEqual([[1, 2, 3]]);
    expect(f.maxOpen).toBeGreaterThan(1);
  });
});
