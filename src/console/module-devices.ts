import type { DeviceKind } from '../device/device-kind';
import type { DeviceService } from '../device/device.service';

/** The devices of one kind with their state (online, admission, last seen), as the Devices page shows them. */
export async function devicesOfKind(devices: DeviceService, kind: DeviceKind) {
  return devices.toDetails(await devices.listAll(undefined, undefined, kind));
}
