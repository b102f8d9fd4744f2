import { Module } from '@nestjs/common';
import { DoorTransactionController } from './door-transaction.controller';
import { TransactionMaintenanceService } from './transaction-maintenance.service';
import { TransactionMonitorService } from './transaction-monitor.service';
import { TransactionController } from './transaction.controller';
import { TransactionRepository } from './transaction.repository';
import { TransactionService } from './transaction.service';

/** Section 2.18: the access transactions the devices upload (stored by the PUSH ingest), read back. */
@Module({
  controllers: [TransactionController, DoorTransactionController],
  providers: [TransactionRepository, TransactionService, TransactionMonitorService, TransactionMaintenanceService],
  exports: [TransactionRepository, TransactionService, TransactionMonitorService],
})
export class TransactionModule {}
