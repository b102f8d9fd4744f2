import { Device } from '../device/device.entity';
import { Door } from '../door/door.entity';
import { Reader } from '../reader/reader.entity';
import { AccTransaction } from '../transaction/acc-transaction.entity';
import { DeviceCommand, DeviceCommandAttempt } from './device-command.entity';
import { DeviceRefusal } from './device-refusal.entity';
import { DeviceUpload } from './device-upload.entity';

/** The tables the device side owns (migrations 1763700000100-push, 1763700001000-command-outcomes). */
export const PUSH_ENTITIES = [Device, Door, Reader, DeviceCommand, DeviceCommandAttempt, AccTransaction, DeviceUpload, DeviceRefusal];
