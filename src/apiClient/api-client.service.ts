import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { newId } from '../common/ids';
import { UNIQUE_VIOLATION } from '../common/write-transaction';
import { ApiClient } from './api-client.entity';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return randomBytes(20).toString('hex');
}

const CACHE_MS = 10_000;
const LAST_USED_EVERY_MS = 60_000;
export const ENV_CLIENT_NAME = 'API_TOKEN';

@Injectable()
export class ApiClientService {
  /** Verified tokens, so that a burst of calls costs one lookup; revocation takes effect within CACHE_MS. */
  private readonly verified = new Map<string, { client: ApiClient; until: number }>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(@InjectRepository(ApiClient) private readonly clients: Repository<ApiClient>) {}

  async create(name: string): Promise<{ client: ApiClient; token: string }> {
    const token = generateToken();
    const client = await this.clients.save(this.clients.create({ name, tokenHash: hashToken(token), enabled: true }));
    return { client, token };
  }

  /** The API_TOKEN client: created once, its hash refreshed when the variable changes. */
  async seed(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    const upsert = () =>
      this.clients
        .createQueryBuilder()
        .insert()
        .values({ id: newId(), name: ENV_CLIENT_NAME, tokenHash, enabled: true })
        .orUpdate(['token_hash', 'enabled'], ['name'])
        .execute();
    try {
      await upsert();
    } catch (err) {
      // Several processes starting at once on one database seed the same row: the upsert's arbiter is the name, and
      // the token hash's own unique index can refuse the later insert before its name conflict is seen. The other
      // process's row is committed by then, so the second try takes the update path.
      if ((err as { driverError?: { code?: unknown } }).driverError?.code !== UNIQUE_VIOLATION) throw err;
      await upsert();
    }
  }

  list(): Promise<ApiClient[]> {
    return this.clients.find({ order: { createdAt: 'ASC' } });
  }

  async revoke(name: string): Promise<boolean> {
    const r = await this.clients.update({ name }, { enabled: false });
    this.verified.clear();
    return (r.affected ?? 0) > 0;
  }

  recentlyVerified(token: string, now = Date.now()): boolean {
    return (this.verified.get(hashToken(token))?.until ?? 0) > now;
  }

  async verify(token: string, now = Date.now()): Promise<ApiClient | undefined> {
    const tokenHash = hashToken(token);
    const hit = this.verified.get(tokenHash);
    let client: ApiClient | undefined;
    if (hit && hit.until > now) client = hit.client;
    else {
      client = (await this.clients.findOne({ where: { tokenHash, enabled: true } })) ?? undefined;
      if (client) this.verified.set(tokenHash, { client, until: now + CACHE_MS });
      else this.verified.delete(tokenHash);
    }
    if (client && now - (this.lastUsedWritten.get(client.id) ?? 0) > LAST_USED_EVERY_MS) {
      this.lastUsedWritten.set(client.id, now);
      await this.clients.update({ id: client.id }, { lastUsedAt: new Date(now) });
    }
    return client;
  }
}
