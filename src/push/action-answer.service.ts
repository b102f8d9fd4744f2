import { Inject, Injectable } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import type { Envelope } from '../common/envelope';
import { CommandQueueService, type CommandStanding } from './command-queue.service';
import { PUSH_SETTINGS, type PushSettings } from './push-settings';

/** A remote action just queued (committed) for an online device. */
export interface QueuedAction {
  deviceSn: string;
  /** Seconds it may still be handed out (DEVICE_ACTION_VALID_SECONDS); null: no limit. */
  validSeconds?: number | null;
  commandId?: string | null;
}

/** The REST answer of a remote action, with the words for the X-Gateway-Detail header. */
export interface ActionAnswer {
  envelope: Envelope<null>;
  detail: string;
  /** done: the device returned >= 0 (returnCode); pending: not fetched yet; sent: delivered, no result yet. */
  state: 'done' | 'pending' | 'sent';
  returnCode: number | null;
}

/** What the answer says of an action still queued or delivered when the wait ends (or without a wait). */
function unconfirmedDetail(q: QueuedAction, s: CommandStanding | null, waitMs: number): string {
  const where = s?.state === 'sent' ? `delivered to device ${q.deviceSn}, which has not returned a result` : `queued for device ${q.deviceSn}, which has not fetched it`;
  const within = waitMs > 0 ? ` within ${Math.round(waitMs / 100) / 10} s` : '';
  const drop = q.validSeconds ? `; it is dropped if not fetched within ${q.validSeconds} s of queueing` : '';
  return `${where}${within}${drop}`;
}

/**
 * Answers a remote action (CONTROL DEVICE: open or close a door, a floor, a gate) with what the device did, as far
 * as it is known within DEVICE_ACTION_WAIT_MS: the manual's plain success once the device returned a result >= 0;
 * -1 naming the Return when the device refused it (Return < 0) or naming why it failed without one; and when the
 * device has not answered in time (it polls every RequestDelay seconds), code 0 with a message that says the
 * command is queued or delivered and not confirmed, never the bare "success" a client reads as "the door opened".
 * The wait reads the committed command's row (CommandQueueService.awaitFinal): no transaction is held.
 * With DEVICE_ACTION_WAIT_MS=0 the action is answered once queued, as the manual's example prints it
 * ({"code":0,"message":"success","data":null}), what happened in X-Gateway-Detail only.
 */
@Injectable()
export class ActionAnswerService {
  constructor(
    private readonly queue: CommandQueueService,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  async answer(q: QueuedAction): Promise<ActionAnswer> {
    const waitMs = this.settings.actionWaitMs;
    if (waitMs <= 0 || !q.commandId) {
      return { envelope: { code: 0, message: 'success', data: null }, detail: `the command is queued for device ${q.deviceSn}`, state: 'pending', returnCode: null };
    }
    const s = await this.queue.awaitFinal(q.commandId, waitMs);
    if (s?.state === 'done') {
      return { envelope: { code: 0, message: 'success', data: null }, detail: `device ${q.deviceSn} confirmed the command (Return=${s.returnCode ?? 0})`, state: 'done', returnCode: s.returnCode };
    }
    if (s?.state === 'failed') {
      if (s.returnCode !== null) throw new CvError(CvCode.ProgramError, `Device ${q.deviceSn} refused the command: ${s.error ?? `Return ${s.returnCode}`}`);
      throw new CvError(CvCode.ProgramError, `Device ${q.deviceSn} did not carry out the command: ${s.error ?? 'no result'}`);
    }
    const detail = unconfirmedDetail(q, s, waitMs);
    return { envelope: { code: 0, message: `not confirmed yet: ${detail}`, data: null }, detail, state: s?.state === 'sent' ? 'sent' : 'pending', returnCode: null };
  }
}
