import * as net from 'node:net';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS } from '../../src/transaction/acc-transaction-publish';

/** Monitor answers too big for the socket buffers, and a client that reads them late or never (crash and cut-off tests). */

/**
 * `n` events with every text field at its longest, of a control character JSON writes as six bytes (\u0001): a
 * 1,000-event answer of over 5 MB, more than the kernel's socket buffers hold (at most 4 MB sent unread on Linux
 * by default) for a client that does not read yet.
 */
export async function storeBigEvents(pg: { query(sql: string, params: unknown[]): Promise<unknown> }, sn: string, n: number): Promise<void> {
  const long = (len: number) => `repeat(chr(1), ${len})`;
  await pg.query(
    `WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, dev_alias, event_time, card_no, pin, event_no, event_name, event_point_name, reader_name, verify_mode_name, area_name)
       SELECT $1 || '_' || g, $1, ${long(100)}, now(), g::text, ${long(64)}, 0, ${long(200)}, ${long(100)}, ${long(100)}, ${long(100)}, ${long(100)}
       FROM generate_series(1, $2::int) g ${INSERTED_EVENT_RETURNING}), ${PUBLISH_INSERTED_EVENTS} SELECT 1`,
    [sn, n],
  );
}

/** A GET sent on a socket that reads nothing until `resume()`: the answer stays in the sender while it does not fit. */
export function stalledGet(port: number, pathAndQuery: string): { resume: () => Promise<string>; destroy: () => void } {
  const socket = net.connect(port, '127.0.0.1');
  socket.pause();
  socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  const ended = new Promise<string>((resolve) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  return {
    destroy: () => socket.destroy(),
    resume: () => {
      socket.resume();
      return ended;
    },
  };
}

/** The items of a whole HTTP answer, or none when it was cut short. */
export function itemsOf(raw: string): Array<{ cardNo: string }> | undefined {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  try {
    return (JSON.parse(body) as { data: Array<{ cardNo: string }> }).data;
  } catch {
    return undefined;
  }
}
