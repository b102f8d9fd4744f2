import type { TransactionService } from '../transaction/transaction.service';
import { queryText } from './console-paging';

export interface ConsoleEventFilter {
  from?: Date;
  to?: Date;
  pin?: string;
  deviceSn?: string;
  /** The person's name as the console shows it (lists that support it: attendance punches). */
  personName?: string;
  /** The person's department at the event (lists that support it: attendance punches). */
  deptCode?: string;
}

/** The filters every console event list shares: `from`/`to` (yyyy-MM-dd HH:mm:ss, -501/-502 as the API), `pin`, `sn`. */
export function eventFilter(q: Record<string, unknown>, transactions: TransactionService): ConsoleEventFilter {
  const f: ConsoleEventFilter = { ...transactions.timeRange({ start: queryText(q.from), end: queryText(q.to), startName: 'from', endName: 'to' }) };
  const pin = queryText(q.pin, 64);
  if (pin) f.pin = pin;
  const sn = queryText(q.sn, 64);
  if (sn) f.deviceSn = sn;
  return f;
}
