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

  /**
   * A client with a new token. A revoked client of that name is given the new token and enabled again (its old
   * token stays refused: only the new hash is kept), so a name once revoked can be issued again; `renewed` says
   * so. Null when an enabled client already has the name.
   */
  async create(name: string): Promise<{ client: ApiClient; token: string; renewed: boolean } | null> {
    const token = generateToken();
    const rows: Array<{ id: string; name: string; token_hash: string; enabled: boolean; created_at: Date; last_used_at: Date | null; renewed: boolean }> = await this.clients.query(
      `INSERT INTO api_client (id, name, token_hash, enabled) VALUES ($1, $2, $3, true)
       ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash, enabled = true, last_used_at = NULL WHERE api_client.enabled = false
       RETURNING id, name, token_hash, enabled, created_at, last_used_at, (xmax <> 0) AS renewed`,
      [newId(), name, hashToken(token)],
    );
    const [r] = rows;
    if (!r) return null;
    const client = this.clients.create({ id: r.id, name: r.name, tokenHash: r.token_hash, enabled: r.enabled, createdAt: new Date(r.created_at), lastUsedAt: r.last_used_at && new Date(r.last_used_at) });
    return { client, token, renewed: r.renewed };
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
