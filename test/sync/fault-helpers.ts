import type { FetchLike } from '../simulator/http';
import type { DeviceSimulator } from '../simulator/device-simulator';

/**
 * A fetch that loses the answers to the next `count` devicecmd POSTs: the gateway got the results and answered,
 * the device never saw the answer (and, with `retryResults`, posts the same results again).
 */
export function resultReplyLoss(): { fetch: FetchLike; count: number } {
  const loss = {
    count: 0,
    fetch: (async (url, init) => {
      const res = await (globalThis.fetch as unknown as FetchLike)(url, init);
      if (loss.count > 0 && url.includes('/iclock/devicecmd')) {
        loss.count--;
        await res.text();
        return { status: 504, headers: { forEach: () => undefined }, text: async () => '' };
      }
      return res;
    }) as FetchLike,
  };
  return loss;
}

/** What a device holds in `tables`, each row as sorted key=value text, rows sorted. */
export function tableSnapshot(sim: DeviceSimulator, tables: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of tables) {
    out[name] = sim
      .table(name)
      .map((r) => Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).sort().join(' '))
      .sort();
  }
  return out;
}
