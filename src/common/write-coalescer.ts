/**
 * Concurrent requests of one kind served together: while a batch runs, new requests wait, and the next batch
 * takes all of them (up to `maxBatch`). What a batch shares (one transaction, one plan of device commands, one
 * commit) is paid once per batch instead of once per request, so throughput grows with concurrency instead of
 * collapsing under it; a lone request runs at once, as before.
 *
 * While a batch runs, a further one starts only once `fill` requests wait (up to `parallel` at once): a batch
 * started with the one or two requests that happened to arrive first would pay the shared work for those alone,
 * while the rest of the clients, just answered, are still sending their next request.
 *
 * `run` answers one result per item, in order: a value, or the error that item alone failed with. When `run`
 * itself throws (what the batch shares failed: the plan, the commit), every item is run again alone through
 * `single`, so one bad item can never fail its neighbours.
 */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (v: O) => void;
  reject: (e: unknown) => void;
}

export class WriteCoalescer<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<ItemResult<O>>>,
    private readonly single: (item: I) => Promise<O>,
    private readonly maxBatch = 16,
    private readonly parallel = 6,
    private readonly fill = 1,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    while (this.waiting.length > 0 && (this.running === 0 || (this.running < this.parallel && this.waiting.length >= this.fill))) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.serve(batch).finally(() => {
        this.running--;
        this.kick();
      });
    }
  }

  private async serve(batch: Array<Waiting<I, O>>): Promise<void> {
    if (batch.length === 1) {
      await this.single(batch[0].item).then(batch[0].resolve, batch[0].reject);
      return;
    }
    let results: Array<ItemResult<O>>;
    try {
      results = await this.run(batch.map((w) => w.item));
    } catch {
      await Promise.all(batch.map((w) => this.single(w.item).then(w.resolve, w.reject)));
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i];
      if (r.ok) w.resolve(r.value);
      else w.reject(r.error);
    });
  }
}
