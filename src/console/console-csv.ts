import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ConsoleRequest } from './console-cookie';

const logger = new Logger('ConsoleCsv');

const CSV_BATCH = 1000;

export type CsvColumns<T> = Array<[string, (row: T) => unknown]>;

interface PersonEvent {
  eventTime: string | null;
  pin: string;
  name: string | null;
  lastName: string | null;
  deptName: string | null;
  cardNo: string;
  devSn: string;
  devName: string | null;
}

/** The first columns of every event export: when, who, and on which device (the manual's field names). */
export function personEventColumns<T extends PersonEvent>(): CsvColumns<T> {
  return [
    ['eventTime', (t) => t.eventTime],
    ['pin', (t) => t.pin],
    ['name', (t) => t.name],
    ['lastName', (t) => t.lastName],
    ['deptName', (t) => t.deptName],
    ['cardNo', (t) => t.cardNo],
    ['devSn', (t) => t.devSn],
    ['devName', (t) => t.devName],
  ];
}

/** RFC 4180 field; a leading = + - @ is prefixed with ' so a spreadsheet does not run it as a formula. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A console list as a CSV download, read in batches of 1000 rows and written as the client takes them;
 * `X-Total-Count` announces the rows so the page can show progress (the rows written may differ from it). Stops when the browser goes away.
 */
export async function streamCsv<T>(
  req: ConsoleRequest,
  reply: FastifyReply,
  opts: { fileName: string; columns: CsvColumns<T>; total: number; batch: (offset: number, limit: number) => Promise<T[]> },
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${opts.fileName}"`,
    'x-total-count': String(opts.total),
    'cache-control': 'no-store',
  });
  // A UTF-8 byte order mark first: Excel, where operators open these files, reads a CSV without one in the
  // Windows code page, and every name beyond ASCII (Müller, 张伟) comes out garbled.
  raw.write(`\ufeff${opts.columns.map(([h]) => h).join(',')}\r\n`);
  let aborted = false;
  req.raw.on('close', () => (aborted = true));
  try {
    // Read until a short batch, not up to the announced total: that is for the progress bar, and a list read on
    // from its last row may hold one that committed late, below rows already sent.
    for (let offset = 0; !aborted; offset += CSV_BATCH) {
      const rows = await opts.batch(offset, CSV_BATCH);
      if (rows.length === 0) break;
      const text = rows.map((r) => opts.columns.map(([, get]) => csvField(get(r))).join(',')).join('\r\n');
      if (!raw.write(`${text}\r\n`)) await new Promise((resolve) => raw.once('drain', resolve));
      if (rows.length < CSV_BATCH) break;
    }
  } catch (err) {
    // A batch that failed (the database gone mid-export, a query cancelled): the status line went out with the
    // first row, so the answer is broken off rather than ended. Ended, it would read as a complete file holding
    // only the rows so far (none: "Exported 0 events"), and the page would say the export succeeded.
    logger.error(`CSV export ${opts.fileName} broke off: ${(err as Error).message}`, (err as Error).stack);
    raw.destroy(err as Error);
    return;
  }
  raw.end();
}
