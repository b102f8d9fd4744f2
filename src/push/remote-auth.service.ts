import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { listOf, tableOf } from '../database/columns';
import { AccTransaction } from '../transaction/acc-transaction.entity';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { DeviceRegistryService, type DeviceSession } from './device-registry.service';
import { logRejected } from './ingest-log';
import { storeRejected } from './raw-upload';
import { notAdmittedReply } from './realtime-upload.service';
import { decideRemoteAuth } from './remote-auth-decision';
import { RtlogIngestService } from './rtlog-ingest.service';
import { formatRemoteAuthReply, formatWallClock, openDoor, parseRemoteAuth, type RemoteAuthRequest } from './protocol';

/** Event codes of the decision (manual, event tables): 222 remote identification is successful, 44 remote identification failed. */
export const REMOTE_AUTH_SUCCESS_EVENT = 222;
export const REMOTE_AUTH_FAILED_EVENT = 44;

/**
 * The lock release when the door's own duration (door.lock_delay) is not one `CONTROL DEVICE` can carry (1-254 s):
 * 5 s, CVSecurity's default lock open duration and the door table's column default.
 */
export const DEFAULT_LOCK_SECONDS = 5;

const lockSeconds = (n: number): number => (Number.isInteger(n) && n >= 1 && n <= 254 ? n : DEFAULT_LOCK_SECONDS);

/** The stored decision's key: the request as the panel sends it again when our answer was lost. */
export function remoteAuthKey(sn: string, req: RemoteAuthRequest): string {
  const e = req.event;
  return `${sn}_remoteauth_${formatWallClock(e.wallClock)}_${e.pin ?? ''}_${e.cardNo ?? ''}_${req.addrType ?? ''}_${e.eventAddr ?? ''}_${e.inOutStatus ?? ''}`;
}

/**
 * Remote identification (manual 10: `POST /iclock/cdata?SN=..&AuthType=device`): the decision from the database
 * (remote-auth-decision.ts), stored once as an access event (222 or 44), answered `AUTH=SUCCESS` with the record
 * and a `CONTROL DEVICE` releasing the door, or `AUTH=FAILED` with the record. A device that is not admitted gets
 * the refusal every upload of such a device gets; a body that holds no readable record is logged, kept raw and
 * answered `AUTH=FAILED`.
 */
@Injectable()
export class RemoteAuthService {
  private readonly logger = new Logger('RemoteAuth');

  constructor(
    private readonly ds: DataSource,
    private readonly registry: DeviceRegistryService,
    private readonly rtlog: RtlogIngestService,
    private readonly metrics: GatewayMetrics,
  ) {}

  async answer(sn: string, body: string): Promise<string> {
    const device = await this.registry.resolve(sn);
    if (device.admission !== 'admitted') {
      this.logger.warn(`device ${sn} is ${device.admission}: remote identification refused`);
      return notAdmittedReply(sn);
    }
    const parsed = parseRemoteAuth(body);
    logRejected(this.logger, sn, 'remote identification', parsed.rejected, { metrics: this.metrics, kind: 'remoteauth' });
    if (parsed.rejected.length > 0) await storeRejected(this.ds, sn, 'remoteauth', parsed.rejected);
    const req = parsed.results[0];
    if (!req) return formatRemoteAuthReply({ auth: 'FAILED', record: null });
    return this.decide(device, req);
  }

  private async decide(device: DeviceSession, req: RemoteAuthRequest): Promise<string> {
    const decision = await decideRemoteAuth(this.ds.manager, device, req);
    const key = remoteAuthKey(device.sn, req);
    const event = decision.granted ? REMOTE_AUTH_SUCCESS_EVENT : REMOTE_AUTH_FAILED_EVENT;
    const pin = decision.pin;
    const stored = await this.rtlog.storeKeyedEvent(device, { ...req.event, event, pin: pin ?? req.event.pin, personPin: pin, index: null }, key);
    // Sent again (our answer was lost): the decision stored the first time is the answer, whatever changed since.
    const granted = stored ? decision.granted : (await this.storedEvent(key)) === REMOTE_AUTH_SUCCESS_EVENT;
    this.logger.log(`device ${device.sn}: remote identification ${granted ? 'SUCCESS' : 'FAILED'}${stored ? '' : ' (sent again: answered as first decided)'}: ${decision.reason}`);
    if (!granted || !decision.door) return formatRemoteAuthReply({ auth: 'FAILED', record: req.line });
    return formatRemoteAuthReply({ auth: 'SUCCESS', record: req.line, control: openDoor(decision.door.doorNo, lockSeconds(decision.door.lockDelay)) });
  }

  private async storedEvent(key: string): Promise<number | null> {
    const [row]: Array<{ event_no: number }> = await this.ds.query(`SELECT ${listOf(AccTransaction, ['eventNo'])} AS event_no FROM ${tableOf(AccTransaction)} WHERE ${listOf(AccTransaction, ['uniqueKey'])} = $1`, [key]);
    return row ? Number(row.event_no) : null;
  }
}
