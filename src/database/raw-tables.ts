import { ATT_TRANSACTION_FEED } from '../attendance/attendance-tables';
import { CONSOLE_AUDIT, CONSOLE_OPERATOR, CONSOLE_SESSION } from '../console/console-tables';
import { FLOOR, MODULE_LEVEL, MODULE_LEVEL_PERSON, MODULE_LEVEL_POINT, MODULE_MONITOR_CURSOR, MODULE_TRANSACTION, PSG_COUNTER } from '../elevator/module-tables';
import { EVENT_NAMES_VERSION } from '../push/event-names';
import { PUSH_OUTBOX } from '../pushCenter/push-center-tables';
import { ACC_TRANSACTION_TALLY, ACC_TRANSACTION_TALLY_DAY, ACC_TRANSACTION_TALLY_TOTAL, TRANSACTION_MONITOR_CURSOR } from '../transaction/transaction-tables';
import type { RawTable } from './columns';

/**
 * Every table written with raw SQL that has no entity, described once in its owning module: the schema test
 * checks each against the migrated database, as it checks the entities (ENTITIES) with the schema builder.
 */
export const RAW_TABLES: ReadonlyArray<RawTable<string>> = [
  CONSOLE_OPERATOR, CONSOLE_SESSION, CONSOLE_AUDIT,
  FLOOR, ...Object.values(MODULE_LEVEL), ...Object.values(MODULE_LEVEL_PERSON), ...Object.values(MODULE_LEVEL_POINT), MODULE_MONITOR_CURSOR,
  MODULE_TRANSACTION, PSG_COUNTER,
  TRANSACTION_MONITOR_CURSOR, ACC_TRANSACTION_TALLY, ACC_TRANSACTION_TALLY_DAY, ACC_TRANSACTION_TALLY_TOTAL,
  ATT_TRANSACTION_FEED, PUSH_OUTBOX, EVENT_NAMES_VERSION,
];
