import { Module } from '@nestjs/common';
import { ElevatorModule } from '../elevator/elevator.module';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { TransactionModule } from '../transaction/transaction.module';
import { GateService } from './gate.service';
import { PsgDeviceController } from './psg-device.controller';
import { PsgGateController } from './psg-gate.controller';
import { PsgLevelController } from './psg-level.controller';
import { PsgPassRuleService } from './psg-pass-rule.service';
import { PsgReaderController } from './psg-reader.controller';
import { PsgReaderService } from './psg-reader.service';
import { PsgTransactionController } from './psg-transaction.controller';

/** Entrance control (2.30-2.34): channel controllers, their gates and readers, levels and events. */
@Module({
  imports: [PushModule, SyncModule, ElevatorModule, TransactionModule],
  controllers: [PsgDeviceController, PsgGateController, PsgLevelController, PsgReaderController, PsgTransactionController],
  providers: [GateService, PsgReaderService, PsgPassRuleService],
  exports: [GateService, PsgPassRuleService],
})
export class PassageModule {}
