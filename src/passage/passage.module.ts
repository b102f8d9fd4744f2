import { Module } from '@nestjs/common';
import { ElevatorModule } from '../elevator/elevator.module';
import { PushModule } from '../push/push.module';
import { TransactionModule } from '../transaction/transaction.module';
import { GateService } from './gate.service';
import { PsgDeviceController } from './psgDevice.controller';
import { PsgGateController } from './psgGate.controller';
import { PsgLevelController } from './psgLevel.controller';
import { PsgReaderController } from './psgReader.controller';
import { PsgReaderService } from './psg-reader.service';
import { PsgTransactionController } from './psgTransaction.controller';

/** Entrance control (2.30-2.34): channel controllers, their gates and readers, levels and events. */
@Module({
  imports: [PushModule, ElevatorModule, TransactionModule],
  controllers: [PsgDeviceController, PsgGateController, PsgLevelController, PsgReaderController, PsgTransactionController],
  providers: [GateService, PsgReaderService],
  exports: [GateService],
})
export class PassageModule {}
