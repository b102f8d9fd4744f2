import * as net from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/database/embedded-database';
import { until } from '../support/until';

/**
 * The embedded database's socket server runs every connection's messages in PGlite's one session. A connection's
 * query from Parse to Sync, and its transaction, must not have another connection's statements run in between:
 * the gateway's LISTEN connection (when the embedded database is reached by URL, as the tests do) or an operator's
 * psql once turned the Bind of a 9.9 MB photo upload, which arrives in many reads, into "unnamed prepared statement
 * does not exist" and a 500 to the device.
 */

/** A connection speaking the wire protocol by hand: messages sent one by one, answers read as they come. */
class RawConnection {
  private buf = Buffer.alloc(0);
  private readonly messages: Array<{ type: string; body: Buffer }> = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 5 && this.buf.length >= 1 + this.buf.readInt32BE(1)) {
        const length = this.buf.readInt32BE(1);
        this.messages.push({ type: String.fromCharCode(this.buf[0]), body: this.buf.subarray(5, 1 + length) });
        this.buf = this.buf.subarray(1 + length);
      }
    });
  }

  static async open(url: string): Promise<RawConnection> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RawConnection(socket);
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([startup, params]));
    await c.next('Z');
    return c;
  }

  send(type: string, body: Buffer = Buffer.alloc(0)): void {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(4 + body.length, 1);
    this.socket.write(Buffer.concat([head, body]));
  }

  /** The answers up to and including the first message of `type`. */
  async next(type: string): Promise<Array<{ type: string; body: Buffer }>> {
    await until(`a ${type} message`, () => this.messages.some((m) => m.type === type), 20_000);
    return this.messages.splice(0, this.messages.findIndex((m) => m.type === type) + 1);
  }

  query(sql: string): void {
    this.send('Q', Buffer.from(`${sql}\0`));
  }

  close(): void {
    this.socket.destroy();
  }
}

const cstr = (s: string) => Buffer.from(`${s}\0`);
const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
/** Bind of the unnamed portal to the unnamed statement with one text parameter. */
const bind = (value: string) => Buffer.concat([cstr(''), cstr(''), int16(0), int16(1), int32(Buffer.byteLength(value)), Buffer.from(value), int16(0)]);
const errorsOf = (ms: Array<{ type: string; body: Buffer }>) => ms.filter((m) => m.type === 'E').map((m) => m.body.toString('latin1').replace(/\0/g, ' '));

let db: EmbeddedDatabase;
let other: Client;
beforeAll(async () => {
  db = await startEmbeddedDatabase(undefined);
  other = new Client({ connectionString: db.url });
  await other.connect();
  await other.query('CREATE TABLE kept (v text)');
}, 60_000);
afterAll(async () => {
  await other?.end();
  await db?.stop();
});

describe("the embedded database's one session", () => {
  it("runs another connection's query after a query's Parse and before its Bind only once the query is synced", async () => {
    const a = await RawConnection.open(db.url);
    try {
      a.send('P', Buffer.concat([cstr(''), cstr('SELECT $1::text AS v'), int16(0)]));
      a.send('H');
      expect((await a.next('1')).map((m) => m.type)).toEqual(['1']);
      // A simple query of another connection (the LISTEN connection's heartbeat) while the Bind is on its way.
      let answered = false;
      const select = other.query('SELECT 1 AS one').then((r) => ((answered = true), r));
      await until('the other query answered or waiting for the session', () => answered || db.waiting() > 0);
      a.send('B', bind('photo'));
      a.send('E', Buffer.concat([cstr(''), int32(0)]));
      a.send('S');
      const got = await a.next('Z');
      expect(errorsOf(got)).toEqual([]);
      expect(got.filter((m) => m.type === 'D').map((m) => m.body.subarray(6).toString())).toEqual(['photo']);
      expect((await select).rows).toEqual([{ one: 1 }]);
    } finally {
      a.close();
    }
  });

  it("keeps another connection's statements out of a transaction until it ends, and rolls back one whose connection went away", async () => {
    const a = await RawConnection.open(db.url);
    a.query('BEGIN');
    await a.next('Z');
    let answered = false;
    const count = other.query('SELECT count(*)::int AS n FROM kept').then((r) => ((answered = true), r));
    await until('the other query answered or waiting for the session', () => answered || db.waiting() > 0);
    a.query(`INSERT INTO kept VALUES ('first')`);
    a.query('COMMIT');
    await a.next('Z');
    expect(errorsOf(await a.next('Z'))).toEqual([]);
    expect((await count).rows).toEqual([{ n: 1 }]);

    a.query('BEGIN');
    a.query(`INSERT INTO kept VALUES ('lost')`);
    await a.next('Z');
    await a.next('Z');
    a.close();
    expect((await other.query('SELECT v FROM kept ORDER BY v')).rows).toEqual([{ v: 'first' }]);
    expect((await other.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
