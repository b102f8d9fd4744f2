import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength, ValidateBy } from 'class-validator';
import { OptionalPagingDto } from '../../common/paging';
import { ToBoolean, ToTrimmedString } from '../../common/transforms';
import type { PushTarget } from '../push-target.entity';
import type { OutboxRow, TargetDeliveryStats } from '../push-outbox.repository';
import { formatCvDateTime } from '../../common/time';
import { FETCH_BAD_PORTS, urlPort } from '../fetch-bad-ports';
import { moduleTransactionIdToApi } from '../../elevator/module-transaction.service';
import { transactionIdToApi } from '../../transaction/dto/transaction-response.dto';

/** A receiver on the site's network may go by a name without a dot, or with an underscore (a compose service, `payroll_hook`). */
const URL_OPTIONS = { require_protocol: true, protocols: ['http', 'https'], require_tld: false, allow_underscores: true };

/** Whether a URL carries a user name or password (`http://user:pw@host/`); false for text that is no URL (IsUrl's to refuse). */
function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/**
 * A target URL without `user:password@`: the delivery's fetch refuses to build a request from such a URL, so a
 * target saved with one answered success and then failed every event for ever ("Request cannot be constructed
 * from a URL that includes credentials"), its events piling up as pending.
 */
const NoUrlCredentials = () =>
  ValidateBy({
    name: 'noUrlCredentials',
    validator: {
      validate: (v: unknown) => typeof v !== 'string' || !hasCredentials(v),
      defaultMessage: () => 'url must not carry a user name or password (user:password@): deliveries cannot send them; sign with secret instead',
    },
  });

/**
 * A target URL on a port the delivery's fetch may send to: fetch refuses the Fetch standard's blocked ports (6000,
 * 6665-6669, 10080, ...) before connecting, so such a target answered success and then failed every event for ever.
 */
const DeliverablePort = () =>
  ValidateBy({
    name: 'deliverablePort',
    validator: {
      validate: (v: unknown) => {
        const port = typeof v === 'string' ? urlPort(v) : undefined;
        return port === undefined || !FETCH_BAD_PORTS.has(port);
      },
      defaultMessage: (a) => `url's port ${urlPort(String(a?.value))} is one deliveries cannot send to (a port the Fetch standard blocks): use another port`,
    },
  });

export class PushTargetCreateDto {
  @ApiProperty({ example: 'payroll' })
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: 'https://payroll.example.com/cvsecurity/events' })
  @ToTrimmedString()
  @IsUrl(URL_OPTIONS)
  @NoUrlCredentials()
  @DeliverablePort()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ example: 's3cret', description: 'HMAC-SHA256 key; the signature travels in X-Gateway-Signature: sha256=<hex> over the raw body' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({ example: true, default: true })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  enabled?: boolean;
}

export class PushTargetUpdateDto {
  @ApiPropertyOptional({ example: 'payroll' }) @IsOptional() @ToTrimmedString() @IsString() @IsNotEmpty() @MaxLength(100) name?: string;
  @ApiPropertyOptional({ example: 'https://payroll.example.com/cvsecurity/events' }) @IsOptional() @ToTrimmedString() @IsUrl(URL_OPTIONS) @NoUrlCredentials() @DeliverablePort() @MaxLength(2000) url?: string;
  @ApiPropertyOptional({ example: 's3cret', description: '"" removes the secret', nullable: true, type: String }) @IsOptional() @IsString() @MaxLength(200) secret?: string | null;
  @ApiPropertyOptional({ example: false }) @IsOptional() @ToBoolean() @IsBoolean() enabled?: boolean;
}

export class PushDeliveryListDto extends OptionalPagingDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered'] })
  @IsOptional()
  @IsIn(['pending', 'delivered'])
  state?: 'pending' | 'delivered';
}

export class PushDeliveryStateDto {
  @ApiProperty({ example: 0, description: 'events waiting (including those being retried)' }) pending!: number;
  @ApiProperty({ example: 120, description: 'delivered rows still kept (PUSH_CENTER_KEEP_DELIVERED_DAYS)' }) delivered!: number;
  @ApiProperty({ example: 0, description: 'pending events that failed at least once' }) retrying!: number;
  @ApiProperty({ example: null, nullable: true, type: String }) oldestPendingAt!: string | null;
  @ApiProperty({ example: '2024-05-01 10:00:00', nullable: true, type: String }) lastDeliveredAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'last failure of a pending event' }) lastError!: string | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) lastStatus!: number | null;
}

export class PushTargetResponseDto {
  @ApiProperty({ example: '4f6c0d7e9a2b4c1d8e3f5a6b7c8d9e0f' }) id!: string;
  @ApiProperty({ example: 'payroll' }) name!: string;
  @ApiProperty({ example: 'https://payroll.example.com/cvsecurity/events' }) url!: string;
  @ApiProperty({ example: true }) hasSecret!: boolean;
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({ example: '2024-05-01 09:00:00' }) createdAt!: string | null;
  @ApiProperty({ example: '2024-05-01 09:00:00' }) updatedAt!: string | null;
  @ApiProperty({ type: PushDeliveryStateDto }) delivery!: PushDeliveryStateDto;
}

export class PushDeliveryResponseDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ example: '0000000000000000000000000000002a', description: "the event id as its module's transaction list shows it (access, elevator, entrance control, attendance)" }) transactionId!: string;
  @ApiProperty({ example: '5662012052868' }) devSn!: string;
  @ApiProperty({ example: 'pending' }) state!: string;
  @ApiProperty({ example: 2 }) attempts!: number;
  @ApiProperty({ example: '2024-05-01 10:00:04', nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ example: 500, nullable: true, type: Number }) lastStatus!: number | null;
  @ApiProperty({ example: 'HTTP 500', nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ example: '2024-05-01 10:00:00' }) createdAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) deliveredAt!: string | null;
}

export function toPushTargetResponse(t: PushTarget, s: TargetDeliveryStats | undefined, tz: string): PushTargetResponseDto {
  return {
    id: t.id,
    name: t.name,
    url: t.url,
    hasSecret: !!t.secret,
    enabled: t.enabled,
    createdAt: formatCvDateTime(t.createdAt, tz),
    updatedAt: formatCvDateTime(t.updatedAt, tz),
    delivery: {
      pending: s?.pending ?? 0,
      delivered: s?.delivered ?? 0,
      retrying: s?.retrying ?? 0,
      oldestPendingAt: formatCvDateTime(s?.oldest_pending_at, tz),
      lastDeliveredAt: formatCvDateTime(s?.last_delivered_at, tz),
      nextAttemptAt: formatCvDateTime(s?.next_attempt_at, tz),
      lastError: s?.last_error ?? null,
      lastStatus: s?.last_status ?? null,
    },
  };
}

/**
 * The id the event's own list shows: an access event's (2.18), an elevator or gate event's with its module digit
 * (module-transaction.service.ts), a punch's (2.21, the md5 of its unique key). Each module numbers its events
 * apart, so the bare access form named another event: an elevator event 1 read as access event 1.
 */
function deliveredEventId(r: OutboxRow): string {
  if (r.module === 'ele' || r.module === 'psg') return moduleTransactionIdToApi(r.module, r.transaction_id);
  if (r.module === 'att') return r.punch_uid ?? transactionIdToApi(r.transaction_id);
  return transactionIdToApi(r.transaction_id);
}

export function toPushDeliveryResponse(r: OutboxRow, tz: string): PushDeliveryResponseDto {
  return {
    id: r.id,
    transactionId: deliveredEventId(r),
    devSn: r.device_sn,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? formatCvDateTime(r.next_attempt_at, tz) : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: formatCvDateTime(r.created_at, tz),
    deliveredAt: formatCvDateTime(r.delivered_at, tz),
  };
}

