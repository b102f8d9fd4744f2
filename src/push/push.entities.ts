import { Device } from '../device/device.entity';
import { Door } from '../door/door.entity';
import { Reader } from '../reader/reader.entity';
import { AccTransaction } from './acc-transaction.entity';
import { DeviceCommand, DeviceCommandAttempt } from './device-command.entity';
import { DeviceUpload } from './device-upload.entity';

/** The tables the device side owns (migration 1763700000100-push). */
export const PUSH_ENTITIES = [Device, Door, Reader, DeviceCommand, DeviceCommandAttempt, AccTransaction, DeviceUpload];
