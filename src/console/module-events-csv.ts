import type { FastifyReply } from 'fastify';
import type { ModuleTransactionService } from '../elevator/module-transaction.service';
import type { ModuleKind } from '../sync/module-rights';
import type { TransactionService } from '../transaction/transaction.service';
import type { TransactionV1ItemDto } from '../transaction/dto/transaction-response.dto';
import type { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { personEventColumns, streamCsv, type CsvColumns } from './console-csv';
import { eventFilter } from './console-filter';

/** CVSecurity's elevator and entrance-control transaction exports: who, where (the floor or gate), what, how verified. */
const COLUMNS: CsvColumns<TransactionV1ItemDto & { eventNo?: number }> = [
  ...personEventColumns<TransactionV1ItemDto>(),
  ['eventPointName', (t) => t.eventPointName],
  ['eventNo', (t) => t.eventNo],
  ['eventName', (t) => t.eventName],
  ['verifyModeName', (t) => t.verifyModeName],
];

const EXPORT: Record<ModuleKind, { fileName: string; action: string }> = {
  ele: { fileName: 'elevator-events.csv', action: 'elevator.export' },
  psg: { fileName: 'entrance-events.csv', action: 'entrance.export' },
};

/**
 * A module's events as the page's filters (time, person, controller) list them, newest first, as CSV streamed in
 * batches; the export ends at the newest event stored when it started, so events arriving meanwhile neither repeat a
 * row nor push one out. Audited as `elevator.export` or `entrance.export` with the filters and the row count.
 */
export async function exportModuleEvents(
  deps: { events: ModuleTransactionService; transactions: TransactionService; audit: ConsoleAuditService },
  module: ModuleKind,
  q: Record<string, unknown>,
  req: ConsoleRequest,
  reply: FastifyReply,
): Promise<void> {
  const f = { ...eventFilter(q, deps.transactions), maxId: await deps.events.lastId(module) };
  const total = await deps.events.count(module, f);
  await deps.audit.record(req.console!.operator, req.ip, EXPORT[module].action, undefined, 'ok', { ...q, rows: total });
  await streamCsv(req, reply, {
    fileName: EXPORT[module].fileName,
    columns: COLUMNS,
    total,
    batch: (offset, limit) => deps.events.items(module, f, { pageNo: 1, pageSize: limit, offset }),
  });
}
