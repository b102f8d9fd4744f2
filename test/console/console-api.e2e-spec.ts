import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cvsEventName } from '../../src/push/cvsecurity-event-names';
import { runOperatorCommand } from '../../src/cli/operator';
import { ConsoleAuditService } from '../../src/console/audit.service';
import { OperatorService } from '../../src/console/operator.service';
import { ConsoleSessionService, hashSessionId } from '../../src/console/session.service';
import { base32Decode, totp } from '../../src/console/totp';
import { TransactionRepository } from '../../src/transaction/transaction.repository';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_PASSWORD_COST, type TestApp } from '../support/test-app';
import { ensureConsoleBuilt } from './browser';
import { createOperator, rawCall, signIn } from './console-helpers';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ trustProxy: true, console: { sessionIdleMinutes: 5, sessionMaxHours: 12, loginLimit: 4, adminAllow: [], adminPassword: undefined, passwordCost: TEST_PASSWORD_COST } });
  await createOperator(t, 'ada', 'admin', 'ada-password-1');
  await createOperator(t, 'otto', 'operator', 'otto-password-1');
  await createOperator(t, 'vera', 'viewer', 'vera-password-1');
});
afterAll(() => t?.close());

/** The audit log's rows of one action, newest first, as an administrator reads them. */
const auditOf = async (action: string) => (await (await signIn(t, 'ada', 'ada-password-1')).call('GET', `audit?action=${action}`)).body.data.rows;

describe('console API: sessions and CSRF', () => {
  it('refuses every console API call without a session, with the envelope and HTTP 401', async () => {
    for (const [method, path] of [
      ['GET', '/console/api/dashboard'],
      ['GET', '/console/api/persons'],
      ['POST', '/console/api/doors/0123456789abcdef0123456789abcdef/open'],
      ['GET', '/console/api/session'],
      ['GET', '/console/api/dashboard/stream'],
      ['GET', '/console/api/dashboard/stream-position'],
    ]) {
      const r = await rawCall(t, method, path, method === 'POST' ? {} : undefined);
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body).toEqual({ code: -401, message: expect.stringMatching(/sign in/i), data: null });
    }
    // A forged or stale cookie is no session either.
    const forged = await rawCall(t, 'GET', '/console/api/dashboard', undefined, { cookie: 'cvgw_console=forged' });
    expect(forged.status).toBe(401);
  });

  it('signs in with the right password only; the cookie is HttpOnly, SameSite=Strict, scoped to /console, Secure only behind TLS', async () => {
    const wrong = await rawCall(t, 'POST', '/console/api/session/login', { name: 'otto', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe(-401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const unknown = await rawCall(t, 'POST', '/console/api/session/login', { name: 'nobody', password: 'whatever-password' });
    expect(unknown.body.message).toBe(wrong.body.message);

    const c = await signIn(t, 'otto', 'otto-password-1');
    expect(c.setCookie).toMatch(/^cvgw_console=[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const me = await c.call('GET', 'session');
    expect(me.body.data).toEqual({ operator: { id: expect.any(String), name: 'otto', role: 'operator', totpEnabled: false }, csrfToken: c.csrf, timeZone: t.config.timeZone });

    const tls = await signIn(t, 'otto', 'otto-password-1', {}, { 'x-forwarded-proto': 'https' });
    expect(tls.setCookie).toMatch(/; Secure$/);
  });

  it('refuses a state-changing call without the CSRF token, or with another session\'s token', async () => {
    const c = await signIn(t, 'otto', 'otto-password-1');
    const other = await signIn(t, 'ada', 'ada-password-1');
    const none = await rawCall(t, 'POST', '/console/api/persons', { pin: 'csrf1', name: 'X' }, { cookie: c.cookie });
    expect(none.status).toBe(403);
    expect(none.body).toEqual({ code: -401, message: expect.stringMatching(/CSRF/), data: null });
    const foreign = await rawCall(t, 'POST', '/console/api/persons', { pin: 'csrf1', name: 'X' }, { cookie: c.cookie, 'x-csrf-token': other.csrf });
    expect(foreign.status).toBe(403);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM person WHERE pin = 'csrf1'`);
    expect(n).toBe(0);
    const good = await c.call('POST', 'persons', { pin: 'csrf1', name: 'X' });
    expect(good.body).toEqual({ code: 0, message: 'success', data: { offlineReceivers: [] } });
  });

  it('refuses a "New person" whose pin is taken (-409), and changes nothing; an edit of that pin saves', async () => {
    const c = await signIn(t, 'otto', 'otto-password-1');
    expect((await c.call('POST', 'persons?new=1', { pin: 'taken1', name: 'Ada', cardNo: '5150001' })).body.code).toBe(0);
    const again = await c.call('POST', 'persons?new=1', { pin: 'taken1', name: 'Imposter', cardNo: '5150002' });
    expect(again.body).toEqual({ code: -409, message: expect.stringContaining('already exists'), data: null });
    expect(await t.ds.query(`SELECT name, card_no FROM person WHERE pin = 'taken1'`)).toEqual([{ name: 'Ada', card_no: '5150001' }]);
    expect((await c.call('POST', 'persons', { pin: 'taken1', name: 'Ada B', cardNo: '5150001' })).body.code).toBe(0);
    expect(await t.ds.query(`SELECT name FROM person WHERE pin = 'taken1'`)).toEqual([{ name: 'Ada B' }]);
    // An open person's form (?edit=1) saved after the person was deleted: -22, not created again.
    expect((await c.call('POST', 'persons?edit=1', { pin: 'taken1', name: 'Ada C' })).body.code).toBe(0);
    expect((await c.call('DELETE', 'persons/taken1')).body.code).toBe(0);
    expect((await c.call('POST', 'persons?edit=1', { pin: 'taken1', name: 'Ada D' })).body).toMatchObject({ code: -22, message: expect.stringContaining('deleted meanwhile') });
    expect(await t.ds.query(`SELECT name FROM person WHERE pin = 'taken1'`)).toEqual([]);
  });

  it('opens the live event stream behind the session cookie (no token in the URL)', async () => {
    const c = await signIn(t, 'vera', 'vera-password-1');
    // Where the page's live events start, read when it opens: a position in each of the stream's feeds, with the latest
    // events stored (none here: nothing happened yet).
    expect((await c.call('GET', 'dashboard/stream-position')).body.data).toEqual({ lastEventId: expect.stringMatching(/^t:\d+:\d+,p:\d+:\d+,m:\d+:\d+$/), latest: [] });
    const ac = new AbortController();
    const res = await fetch(`${t.baseUrl}/console/api/dashboard/stream`, { headers: { cookie: c.cookie }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const first = await res.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toContain('retry: 3000');
    ac.abort();
  });

  it('ends the session at logout and after the idle time', async () => {
    const c = await signIn(t, 'otto', 'otto-password-1');
    expect((await c.call('POST', 'session/logout')).body.code).toBe(0);
    expect((await c.call('GET', 'dashboard')).status).toBe(401);

    const d = await signIn(t, 'otto', 'otto-password-1');
    await t.ds.query(`UPDATE console_session SET last_seen_at = now() - interval '6 minutes' WHERE operator_id = (SELECT id FROM console_operator WHERE name = 'otto')`);
    expect((await d.call('GET', 'dashboard')).status).toBe(401);
    const e = await signIn(t, 'otto', 'otto-password-1');
    await t.ds.query(`UPDATE console_session SET created_at = now() - interval '13 hours' WHERE operator_id = (SELECT id FROM console_operator WHERE name = 'otto')`);
    expect((await e.call('GET', 'dashboard')).status).toBe(401);
  });

  it("does not count a page's own refresh (X-Console-Background) as activity: a console left open on the dashboard times out", async () => {
    const c = await signIn(t, 'vera', 'vera-password-1');
    const id = c.cookie.split('=')[1];
    const idle = async () => (await t.ds.query(`SELECT round(extract(epoch FROM now() - last_seen_at))::int AS s FROM console_session WHERE id_hash = $1`, [hashSessionId(id)]))[0]?.s;
    const session = `UPDATE console_session SET last_seen_at = now() - $1::interval WHERE operator_id = (SELECT id FROM console_operator WHERE name = 'vera')`;
    await t.ds.query(session, ['4 minutes']);
    // The dashboard reading itself again every 10 s: answered, and the idle clock goes on.
    const background = { 'x-console-background': '1' };
    expect((await c.call('GET', 'dashboard', undefined, background)).body.code).toBe(0);
    expect(await idle()).toBeGreaterThanOrEqual(239);
    // The operator opening a page: the clock starts again.
    expect((await c.call('GET', 'dashboard')).body.code).toBe(0);
    expect(await idle()).toBeLessThan(5);
    // A change always counts, whatever it says.
    await t.ds.query(session, ['4 minutes']);
    expect((await c.call('POST', 'session/totp/start', {}, background)).body.code).toBe(0);
    expect(await idle()).toBeLessThan(5);
    // Past the idle time, the refresh finds the session ended: the page shows the sign-in form.
    await t.ds.query(session, ['6 minutes']);
    expect((await c.call('GET', 'dashboard', undefined, background)).status).toBe(401);
  });

  it('stores only scrypt hashes and session-id hashes', async () => {
    const rows = await t.ds.query(`SELECT password_hash FROM console_operator`);
    // At CONSOLE_PASSWORD_COST's N (the harness's 2^10; the product's default 2^15 is console.config.spec's).
    for (const r of rows) expect(r.password_hash).toMatch(new RegExp(`^scrypt\\$${2 ** TEST_PASSWORD_COST}\\$8\\$1\\$`));
    const c = await signIn(t, 'vera', 'vera-password-1');
    const id = c.cookie.split('=')[1];
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM console_session WHERE id_hash = $1`, [id]);
    expect(n).toBe(0);
  });
});

describe('console API: roles and audit', () => {
  it('lets a viewer read but change nothing, and logs the refusal', async () => {
    const v = await signIn(t, 'vera', 'vera-password-1');
    expect((await v.call('GET', 'persons')).body.code).toBe(0);
    expect((await v.call('GET', 'dashboard')).body.code).toBe(0);
    const add = await v.call('POST', 'persons', { pin: 'viewer1', name: 'Nope' });
    expect(add.status).toBe(403);
    expect(add.body.message).toMatch(/viewer/);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM person WHERE pin = 'viewer1'`);
    expect(n).toBe(0);
    // Administrator-only reads are refused too.
    expect((await v.call('GET', 'settings/api-clients')).status).toBe(403);
    const audit = await (await signIn(t, 'ada', 'ada-password-1')).call('GET', 'audit?operator=vera&action=person.save');
    expect(audit.body.data.rows[0]).toMatchObject({ operator: 'vera', role: 'viewer', action: 'person.save', target: 'viewer1', outcome: 'refused' });
  });

  it("never hands a person's keypad password to the browser, only whether one is set", async () => {
    expect((await t.post('/api/person/add', { pin: 'pwd1', name: 'Kay', personPwd: '908172' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: 'pwd2', name: 'Lee' })).body.code).toBe(0);
    for (const [name, password] of [['vera', 'vera-password-1'], ['ada', 'ada-password-1']]) {
      const c = await signIn(t, name, password);
      const withPwd = await c.call('GET', 'persons/pwd1');
      expect(withPwd.body.data.person).toMatchObject({ pin: 'pwd1', hasPersonPwd: true });
      expect(withPwd.body.data.person).not.toHaveProperty('personPwd');
      expect(withPwd.text).not.toContain('908172');
      expect((await c.call('GET', 'persons/pwd2')).body.data.person).toMatchObject({ pin: 'pwd2', hasPersonPwd: false });
    }
  });

  it('lets an operator run the site but not manage tokens or operators', async () => {
    const o = await signIn(t, 'otto', 'otto-password-1');
    expect((await o.call('POST', 'settings/api-clients', { name: 'x' })).status).toBe(403);
    expect((await o.call('POST', 'operators', { name: 'eve', role: 'admin', password: 'eve-password-1' })).status).toBe(403);
    expect((await o.call('GET', 'audit')).body.code).toBe(0);
  });

  it('creates an API token shown once, revokes it, and records both with the operator; secrets never reach the log', async () => {
    const a = await signIn(t, 'ada', 'ada-password-1');
    const created = await a.call('POST', 'settings/api-clients', { name: 'payroll' });
    expect(created.body.data).toEqual({ id: expect.any(String), name: 'payroll', token: expect.stringMatching(/^.{20,}$/) });
    const token = created.body.data.token as string;
    expect((await rawCall(t, 'GET', `/api/accLevel/list?pageNo=1&pageSize=10&access_token=${token}`)).body.code).toBe(0);
    const listed = await a.call('GET', 'settings/api-clients');
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await a.call('POST', 'settings/api-clients/payroll/revoke')).body.code).toBe(0);
    expect((await rawCall(t, 'GET', `/api/accLevel/list?pageNo=1&pageSize=10&access_token=${token}`)).body.code).toBe(-401);
    // A revoked name is issued again with a new token; an enabled one is not (-409).
    const again = await a.call('POST', 'settings/api-clients', { name: 'payroll' });
    expect(again.body.data).toEqual({ id: created.body.data.id, name: 'payroll', token: expect.stringMatching(/^.{20,}$/) });
    expect((await rawCall(t, 'GET', `/api/accLevel/list?pageNo=1&pageSize=10&access_token=${again.body.data.token}`)).body.code).toBe(0);
    expect((await rawCall(t, 'GET', `/api/accLevel/list?pageNo=1&pageSize=10&access_token=${token}`)).body.code).toBe(-401);
    expect((await a.call('POST', 'settings/api-clients', { name: 'payroll' })).body.code).toBe(-409);
    const op = await a.call('POST', 'operators', { name: 'eve', role: 'viewer', password: 'eve-password-1' });
    expect(op.body.data).toMatchObject({ name: 'eve', role: 'viewer', totpEnabled: false, disabled: false });
    const log = (await a.call('GET', 'audit?operator=ada')).body.data.rows;
    expect(log.map((r: any) => `${r.action} ${r.target} ${r.outcome}`)).toEqual(
      expect.arrayContaining(['apiClient.create payroll ok', 'apiClient.revoke payroll ok', 'operator.create eve ok', 'session.login ada ok']),
    );
    const text = JSON.stringify(await t.ds.query(`SELECT detail FROM console_audit`));
    expect(text).not.toContain(token);
    expect(text).not.toContain('eve-password-1');
  });

  it('lets an administrator set another operator\'s password (their sessions end) and delete them, but not demote or delete themself', async () => {
    const a = await signIn(t, 'ada', 'ada-password-1');
    await createOperator(t, 'pat', 'operator', 'pat-password-1');
    const pat = await signIn(t, 'pat', 'pat-password-1');
    const id = (await pat.call('GET', 'session')).body.data.operator.id;
    expect((await a.call('PUT', `operators/${id}`, { password: 'pat-new-password' })).body.code).toBe(0);
    expect((await pat.call('GET', 'session')).status).toBe(401);
    await signIn(t, 'pat', 'pat-new-password');
    const me = (await a.call('GET', 'session')).body.data.operator.id;
    expect((await a.call('PUT', `operators/${me}`, { role: 'viewer' })).body.code).toBe(-409);
    expect((await a.call('DELETE', `operators/${me}`)).body.code).toBe(-409);
    expect((await a.call('DELETE', `operators/${id}`)).body.data).toMatchObject({ name: 'pat' });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM console_operator WHERE name = 'pat'`))[0].n).toBe(0);
  });

  it('manages Push Center targets and shows their deliveries (administrators only)', async () => {
    const a = await signIn(t, 'ada', 'ada-password-1');
    const created = await a.call('POST', 'settings/push-targets', { name: 'payroll-hook', url: 'http://127.0.0.1:8/hook' });
    expect(created.body.data).toMatchObject({ name: 'payroll-hook', enabled: true, delivery: { pending: 0 } });
    const id = created.body.data.id;
    expect((await a.call('GET', `settings/push-targets/${id}/deliveries`)).body.data).toMatchObject({ total: 0, data: [] });
    expect((await a.call('PUT', `settings/push-targets/${id}/enabled`, { enabled: false })).body.data.enabled).toBe(false);
    const o = await signIn(t, 'otto', 'otto-password-1');
    expect((await o.call('GET', 'settings/push-targets')).status).toBe(403);
    expect((await a.call('DELETE', `settings/push-targets/${id}`)).body.code).toBe(0);
    expect((await a.call('GET', `settings/push-targets/${id}/deliveries`)).body.code).toBe(-404);
  });

  it('queues one CONTROL DEVICE per door action and refuses unknown actions and doors', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CONSOLEAPI1', doors: 2, ipAddress: '10.66.0.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    const o = await signIn(t, 'otto', 'otto-password-1', {}, { 'x-forwarded-for': '10.30.0.1' });
    const doors = (await o.call('GET', 'doors')).body.data.rows;
    const door = doors.find((d: { name: string }) => d.name === '10.66.0.1-1');
    expect(door).toMatchObject({ connect: '1' });
    const ids: string[] = [];
    for (const action of ['open', 'close', 'normalOpen', 'cancelAlarm']) {
      const r = await o.call('POST', `doors/${door.id}/${action}`, {});
      expect(r.body).toEqual({ code: 0, message: 'the command is queued for device CONSOLEAPI1', data: { door: '10.66.0.1-1', deviceSn: 'CONSOLEAPI1', online: true, validSeconds: 60, commandId: expect.stringMatching(/^\d+$/) } });
      ids.push(r.body.data.commandId);
    }
    expect(new Set(ids).size).toBe(4);
    const one = async (id: string) => (await o.call('GET', `devices/CONSOLEAPI1/commands?id=${id}&size=1`)).body.data.rows;
    expect((await one(ids[0])).map((c: { state: string }) => c.state)).toEqual(['pending']);
    await sim.pollUntilIdle();
    expect(sim.doorActions.map((a) => a.action)).toEqual(['open', 'close', 'normalOpen', 'cancelAlarm']);
    // Each action's command, followed by its id to the panel's Return (what the Doors page shows).
    for (const id of ids) expect(await one(id)).toEqual([expect.objectContaining({ id, state: 'done', returnCode: 0 })]);
    expect((await o.call('GET', 'devices/CONSOLEAPI1/commands?id=x1')).body.code).toBe(-400);
    expect((await o.call('POST', `doors/${door.id}/explode`, {})).body.code).toBe(-400);
    expect((await o.call('POST', 'doors/0123456789abcdef0123456789abcdef/open', {})).body.code).toBe(-47);
    const log = (await o.call('GET', `audit?action=door.control&target=${door.id}`)).body.data.rows;
    expect(log.map((r: { target: string; outcome: string }) => `${r.target.split(' ')[1]} ${r.outcome}`)).toEqual(['explode failed', 'cancelAlarm ok', 'normalOpen ok', 'close ok', 'open ok']);
    // Each line names the door as the operator knows it, beside its id; an id no door has names none.
    expect(log.map((r: { detail: Record<string, unknown> | null }) => r.detail?.door)).toEqual(['10.66.0.1-1', '10.66.0.1-1', '10.66.0.1-1', '10.66.0.1-1', '10.66.0.1-1']);
    const [unknown] = (await o.call('GET', 'audit?action=door.control&target=0123456789abcdef0123456789abcdef')).body.data.rows;
    expect(unknown).toMatchObject({ outcome: 'failed', detail: { code: -47 } });
    expect(unknown.detail.door).toBeUndefined();
  });

  it('sets a panel\'s clock and reboots it, each followed by its id to the panel\'s Return; a viewer may not, a bad action is refused', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CONSOLEAPI2', doors: 1, ipAddress: '10.66.0.2' });
    await sim.connect();
    await sim.pollUntilIdle();
    const o = await signIn(t, 'otto', 'otto-password-1', {}, { 'x-forwarded-for': '10.30.0.2' });
    sim.driftClock(90 * 60_000);
    const time = await o.call('POST', 'devices/CONSOLEAPI2/control', { action: 'syncTime' });
    expect(time.body.data).toMatchObject({ deviceSn: 'CONSOLEAPI2', command: expect.stringMatching(/^SET OPTIONS DateTime=\d+$/), commandId: expect.stringMatching(/^\d+$/) });
    const reboot = await o.call('POST', 'devices/CONSOLEAPI2/control', { action: 'reboot' });
    expect(reboot.body.data.command).toBe('CONTROL DEVICE 03000000');
    await sim.pollUntilIdle();
    expect(Math.abs(sim.clockOffset)).toBeLessThan(3000);
    expect(sim.restarts).toBe(1);
    for (const id of [time.body.data.commandId, reboot.body.data.commandId]) {
      expect((await o.call('GET', `devices/CONSOLEAPI2/commands?id=${id}&size=1`)).body.data.rows).toEqual([expect.objectContaining({ id, state: 'done', returnCode: 0 })]);
    }
    expect((await o.call('POST', 'devices/CONSOLEAPI2/control', { action: 'explode' })).body.code).toBe(-400);
    const v = await signIn(t, 'vera', 'vera-password-1', {}, { 'x-forwarded-for': '10.30.0.3' });
    expect((await v.call('POST', 'devices/CONSOLEAPI2/control', { action: 'reboot' })).body.code).toBeLessThan(0);
    const log = (await o.call('GET', 'audit?action=device.control&target=CONSOLEAPI2')).body.data.rows;
    expect(log.map((r: { target: string; outcome: string }) => `${r.target} ${r.outcome}`)).toContain('CONSOLEAPI2 reboot ok');
  });

  it('records a failed action with the manual\'s code', async () => {
    const o = await signIn(t, 'otto', 'otto-password-1');
    const r = await o.call('POST', 'persons', { pin: 'lvl1', accLevelIds: 'ffffffffffffffffffffffffffffffff' });
    expect(r.body.code).toBe(-24);
    const rows = (await o.call('GET', 'audit?action=person.save&target=lvl1')).body.data.rows;
    expect(rows[0]).toMatchObject({ operator: 'otto', outcome: 'failed', detail: expect.objectContaining({ code: -24 }) });
  });
});

describe('console API: CSV exports', () => {
  it('breaks the download off when a batch fails, rather than ending it as a whole file (the page said "Exported 0 events")', async () => {
    const c = await signIn(t, 'otto', 'otto-password-1');
    const repo = t.app.get(TransactionRepository);
    const findPage = repo.findPage;
    const download = () =>
      fetch(`${t.baseUrl}/console/api/transactions/csv`, { headers: { cookie: c.cookie } })
        .then((r) => r.text())
        .then((text) => ({ text }), (e: Error) => ({ error: e.message }));
    // The database goes away after the count, before the first rows are read.
    repo.findPage = async () => {
      throw new Error('Connection terminated unexpectedly');
    };
    try {
      expect(await download()).toHaveProperty('error');
    } finally {
      repo.findPage = findPage;
    }
    // It answers again: the export is whole.
    expect(await download()).toEqual({ text: expect.stringMatching(/^\ufeff?eventTime,pin,/) });
  });
});

describe('console API: the event filter', () => {
  it('names each event code as the events are stored and shown (CVSecurity\'s names)', async () => {
    const o = await signIn(t, 'otto', 'otto-password-1');
    const events = (await o.call('GET', 'catalog/events')).body.data as Array<{ code: number; name: string }>;
    const name = (code: number) => events.find((e) => e.code === code)?.name;
    expect([name(0), name(27)]).toEqual([cvsEventName(0), cvsEventName(27)]);
    expect(name(27)).toBe('card is not registered');
  });

  it('gives every code a label of its own, spelled right (the manual merges 18 and 19, and writes "bogy" for 68)', async () => {
    const o = await signIn(t, 'otto', 'otto-password-1');
    const events = (await o.call('GET', 'catalog/events')).body.data as Array<{ code: number; name: string }>;
    const byName = new Map<string, number[]>();
    for (const e of events) byName.set(e.name, [...(byName.get(e.name) ?? []), e.code]);
    expect([...byName].filter(([, codes]) => codes.length > 1)).toEqual([]);
    const name = (code: number) => events.find((e) => e.code === code)?.name;
    expect([name(18), name(19)]).toEqual(['The first user opens the door by fingerprint', 'The first user opens the door by card and fingerprint']);
    expect([name(30), name(34)]).toEqual(['The password is incorrect', 'The fingerprint is not registered']);
    expect(name(68)).toBe('High body temperature -Access Denied');
    expect(events.filter((e) => /bogy/i.test(e.name))).toEqual([]);
  });
});

describe('console API: editing the reference lists', () => {
  it('renames a level, takes a door out of it (its members leave that panel) and deletes it, each audited', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CONSOLEAPI2', doors: 2, ipAddress: '10.66.0.2' });
    await sim.connect();
    await sim.pollUntilIdle();
    const o = await signIn(t, 'otto', 'otto-password-1');
    expect((await o.call('POST', 'catalog/levels', { name: 'Edit level' })).body.code).toBe(0);
    expect((await o.call('POST', 'catalog/levels/doors', { levelName: 'Edit level', doorName: '10.66.0.2-1' })).body.code).toBe(0);
    const level = (await o.call('GET', 'catalog/levels')).body.data.find((l: { name: string }) => l.name === 'Edit level');
    expect(level).toMatchObject({ doors: ['10.66.0.2-1'], doorIds: [expect.any(String)] });
    expect((await o.call('POST', 'persons', { pin: 'lvledit1', name: 'Lev', accLevelIds: level.id })).body.code).toBe(0);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('lvledit1')).toHaveLength(1);

    expect((await o.call('PUT', `catalog/levels/${level.id}`, { name: 'Renamed level' })).body).toEqual({ code: 0, message: 'success', data: null });
    const [{ name }] = await t.ds.query(`SELECT name FROM acc_level WHERE id = $1`, [level.id]);
    expect(name).toBe('Renamed level');

    expect((await o.call('DELETE', `catalog/levels/${level.id}/doors/${level.doorIds[0]}`)).body.code).toBe(0);
    expect((await o.call('DELETE', `catalog/levels/${level.id}/doors/${level.doorIds[0]}`)).body.code).toBe(-47);
    const [{ n: doors }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_door WHERE level_id = $1`, [level.id]);
    expect(doors).toBe(0);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('lvledit1')).toEqual([]);

    expect((await o.call('DELETE', `catalog/levels/${level.id}`)).body.code).toBe(0);
    expect((await o.call('DELETE', `catalog/levels/${level.id}`)).body.code).toBe(-24);
    const [{ n: levels }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_level WHERE id = $1`, [level.id]);
    expect(levels).toBe(0);

    // Audit rows of one test can share a millisecond: outcomes are compared as sets.
    expect((await auditOf('level.update'))[0]).toMatchObject({ operator: 'otto', target: `${level.id} Renamed level`, outcome: 'ok' });
    expect((await auditOf('level.removeDoor')).map((r: { outcome: string }) => r.outcome).sort()).toEqual(['failed', 'ok']);
    expect((await auditOf('level.delete')).map((r: { outcome: string }) => r.outcome).sort()).toEqual(['failed', 'ok']);
    // The level by name beside its id, as it was when the action ran: the old name of a rename, the deleted one's.
    expect((await auditOf('level.update'))[0].detail).toMatchObject({ level: 'Edit level', name: 'Renamed level' });
    expect((await auditOf('level.delete')).map((r: { detail: Record<string, unknown> | null }) => r.detail?.level ?? null).sort()).toEqual(['Renamed level', null]);
  });

  it('edits a department, an area, a time segment and a holiday through their services, each audited', async () => {
    const o = await signIn(t, 'otto', 'otto-password-1');
    expect((await o.call('POST', 'catalog/departments', { code: 'ed1', name: 'Dept before' })).body.code).toBe(0);
    expect((await o.call('PUT', 'catalog/departments/ed1', { code: 'ed1', name: 'Dept after' })).body.code).toBe(0);
    expect((await o.call('GET', 'catalog/departments')).body.data.find((d: { code: string }) => d.code === 'ed1')).toMatchObject({ name: 'Dept after' });
    // An edit never creates.
    expect((await o.call('PUT', 'catalog/departments/ed-none', { code: 'ed-none', name: 'X' })).body.code).toBeLessThan(0);
    // "New department" with a code that is taken renames nothing (department/add would): -409, the name stays.
    expect((await o.call('POST', 'catalog/departments', { code: 'ed1', name: 'Typed over' })).body).toMatchObject({ code: -409, message: expect.stringContaining('already exists (Dept after)') });
    expect((await o.call('GET', 'catalog/departments')).body.data.find((d: { code: string }) => d.code === 'ed1')).toMatchObject({ name: 'Dept after' });

    expect((await o.call('POST', 'catalog/areas', { code: 'ar1', name: 'Area before' })).body.code).toBe(0);
    expect((await o.call('PUT', 'catalog/areas/ar1', { name: 'Area after' })).body.code).toBe(0);
    expect((await o.call('GET', 'catalog/areas')).body.data.find((a: { code: string }) => a.code === 'ar1')).toMatchObject({ name: 'Area after' });

    const week = { mon: [['08:00', '12:00']] };
    // No day ticked: a segment that admits no one is refused, and nothing is stored.
    const empty = await o.call('POST', 'catalog/time-segments', { name: 'Seg none', schedule: { mon: [], tue: [] } });
    expect(empty.body).toEqual({ code: -400, message: expect.stringContaining('at least one day'), data: null });
    expect(await t.ds.query(`SELECT 1 FROM time_segment WHERE name = 'Seg none'`)).toEqual([]);
    expect((await o.call('POST', 'catalog/time-segments', { name: 'Seg before', schedule: week })).body.code).toBe(0);
    const seg = (await o.call('GET', 'catalog/time-segments')).body.data.find((x: { name: string }) => x.name === 'Seg before');
    expect((await o.call('PUT', `catalog/time-segments/${seg.id}`, { name: 'Seg after', schedule: { tue: [['09:00', '17:00']] } })).body.code).toBe(0);
    const segAfter = (await o.call('GET', 'catalog/time-segments')).body.data.find((x: { id: string }) => x.id === seg.id);
    expect(segAfter.name).toBe('Seg after');
    expect(segAfter.schedule.tue).toEqual([['09:00', '17:00']]);

    expect((await o.call('POST', 'catalog/holidays', { name: 'Hol before', startDate: '2027-05-01', endDate: '2027-05-01', holidayType: 1 })).body.code).toBe(0);
    const hol = (await o.call('GET', 'catalog/holidays')).body.data.find((x: { name: string }) => x.name === 'Hol before');
    expect((await o.call('PUT', `catalog/holidays/${hol.id}`, { name: 'Hol after', endDate: '2027-05-02' })).body.code).toBe(0);
    expect((await o.call('GET', 'catalog/holidays')).body.data.find((x: { id: string }) => x.id === hol.id)).toMatchObject({ name: 'Hol after', endDate: '2027-05-02' });

    expect((await auditOf('department.update')).map((r: { target: string; outcome: string }) => `${r.target} ${r.outcome}`).sort()).toEqual(['ed-none failed', 'ed1 ok']);
    expect((await auditOf('area.update'))[0]).toMatchObject({ operator: 'otto', target: 'ar1', outcome: 'ok' });
    expect((await auditOf('timeSegment.update'))[0]).toMatchObject({ operator: 'otto', target: seg.id, outcome: 'ok' });
    expect((await auditOf('holiday.update'))[0]).toMatchObject({ operator: 'otto', target: hol.id, outcome: 'ok' });
    // Each line names what it changed as it was when the action ran (the name before a rename), beside its id or code;
    // a code no department has names none.
    const named = async (action: string) => (await auditOf(action)).map((r: { target: string; detail: Record<string, unknown> | null }) => [r.target, Object.fromEntries(Object.entries(r.detail ?? {}).filter(([k]) => ['department', 'area', 'timeSegment', 'holiday'].includes(k)))]);
    expect((await named('department.update')).sort()).toEqual([['ed-none', {}], ['ed1', { department: 'Dept before' }]]);
    expect(await named('area.update')).toEqual([['ar1', { area: 'Area before' }]]);
    expect(await named('timeSegment.update')).toEqual([[seg.id, { timeSegment: 'Seg before' }]]);
    expect(await named('holiday.update')).toEqual([[hol.id, { holiday: 'Hol before' }]]);
    // A deleted one is named by what it was.
    expect((await o.call('DELETE', `catalog/holidays/${hol.id}`)).body.code).toBe(0);
    expect((await o.call('DELETE', `catalog/time-segments/${seg.id}`)).body.code).toBe(0);
    expect(await named('holiday.delete')).toEqual([[hol.id, { holiday: 'Hol after' }]]);
    expect(await named('timeSegment.delete')).toEqual([[seg.id, { timeSegment: 'Seg after' }]]);
  });

  it('refuses every edit to a viewer, and to a call without the CSRF token', async () => {
    const o = await signIn(t, 'otto', 'otto-password-1');
    expect((await o.call('POST', 'catalog/levels', { name: 'Viewer level' })).body.code).toBe(0);
    const level = (await o.call('GET', 'catalog/levels')).body.data.find((l: { name: string }) => l.name === 'Viewer level');
    const v = await signIn(t, 'vera', 'vera-password-1');
    for (const [method, path, body] of [
      ['PUT', `catalog/levels/${level.id}`, { name: 'Nope' }],
      ['DELETE', `catalog/levels/${level.id}`, undefined],
      ['DELETE', `catalog/levels/${level.id}/doors/0123456789abcdef0123456789abcdef`, undefined],
      ['PUT', 'catalog/departments/ed1', { code: 'ed1', name: 'Nope' }],
      ['PUT', 'catalog/areas/ar1', { name: 'Nope' }],
      ['PUT', 'catalog/time-segments/0123456789abcdef0123456789abcdef', { name: 'Nope' }],
      ['PUT', 'catalog/holidays/0123456789abcdef0123456789abcdef', { name: 'Nope' }],
    ] as Array<[string, string, unknown]>) {
      const r = await v.call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.message).toMatch(/viewer/);
    }
    const noCsrf = await rawCall(t, 'PUT', `/console/api/catalog/levels/${level.id}`, { name: 'Nope' }, { cookie: o.cookie });
    expect(noCsrf.status).toBe(403);
    const [{ name }] = await t.ds.query(`SELECT name FROM acc_level WHERE id = $1`, [level.id]);
    expect(name).toBe('Viewer level');
    expect((await auditOf('level.delete'))[0]).toMatchObject({ operator: 'vera', outcome: 'refused' });
  });
});

describe('console API: a person leaves and is reinstated', () => {
  it('leave: the person stays, resigned, and every panel loses them; reinstate: the panels of their levels get them back; each audited', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CONSOLEAPI3', doors: 2, ipAddress: '10.66.0.3' });
    await sim.connect();
    await sim.pollUntilIdle();
    const o = await signIn(t, 'otto', 'otto-password-1');
    expect((await o.call('POST', 'catalog/levels', { name: 'Leave level' })).body.code).toBe(0);
    expect((await o.call('POST', 'catalog/levels/doors', { levelName: 'Leave level', doorName: '10.66.0.3-2' })).body.code).toBe(0);
    const level = (await o.call('GET', 'catalog/levels')).body.data.find((l: { name: string }) => l.name === 'Leave level');
    expect((await o.call('POST', 'persons', { pin: 'leaver1', name: 'Lee', cardNo: '775511', accLevelIds: level.id })).body.code).toBe(0);
    await sim.pollUntilIdle();
    expect(sim.user('leaver1')).toMatchObject({ Pin: 'leaver1', CardNo: '775511' });
    expect(sim.rightsOf('leaver1')).toHaveLength(1);

    // A viewer may not, and no call goes through without the CSRF token.
    const v = await signIn(t, 'vera', 'vera-password-1');
    expect((await v.call('POST', 'persons/leaver1/leave', {})).status).toBe(403);
    expect((await rawCall(t, 'POST', '/console/api/persons/leaver1/leave', {}, { cookie: o.cookie })).status).toBe(403);
    expect((await t.ds.query(`SELECT status FROM person WHERE pin = 'leaver1'`))[0].status).toBe('active');

    // A leave date that is no date is refused with the manual's code, and changes nothing.
    expect((await o.call('POST', 'persons/leaver1/leave', { leaveDate: 'soon' })).body.code).toBe(-100);
    expect((await o.call('POST', 'persons/leaver1/leave', { leaveDate: '2026-11-20', leaveType: '1' })).body).toEqual({ code: 0, message: 'success', data: { offlineHolders: [] } });
    const [stored] = await t.ds.query(`SELECT status, to_char(leave_date, 'YYYY-MM-DD') AS leave_date, leave_type FROM person WHERE pin = 'leaver1'`);
    expect(stored).toEqual({ status: 'left', leave_date: '2026-11-20', leave_type: '1' });
    // Until the panel confirms, the detail shows the person resigned and the removal on its way to the panel.
    const before = (await o.call('GET', 'persons/leaver1')).body.data;
    expect(before.left).toEqual({ leaveDate: '2026-11-20', leaveType: '1' });
    expect(before.devices).toEqual([expect.objectContaining({ deviceSn: 'CONSOLEAPI3', state: 'pending', desired: false, rights: [], unconfirmed: ['user', 'auth'], pendingCommands: 2 })]);
    await sim.pollUntilIdle();
    expect(sim.user('leaver1')).toBeUndefined();
    expect(sim.rightsOf('leaver1')).toEqual([]);
    expect((await o.call('GET', 'persons/leaver1')).body.data.devices).toEqual([]);
    // Off the active list, on the resigned one, with the levels kept.
    expect((await o.call('GET', 'persons?q=leaver')).body.data.rows).toEqual([]);
    expect((await o.call('GET', 'persons?q=leaver&status=left')).body.data.rows).toEqual([expect.objectContaining({ pin: 'leaver1', leaveDate: '2026-11-20', levels: 1 })]);
    // Leaving twice, or editing a resigned person, is refused.
    expect((await o.call('POST', 'persons/leaver1/leave', {})).body.code).toBe(-22);
    expect((await o.call('POST', 'persons', { pin: 'leaver1', name: 'Changed' })).body.code).toBe(-29);

    expect((await v.call('POST', 'persons/leaver1/reinstate', {})).status).toBe(403);
    expect((await o.call('POST', 'persons/nobody-here/reinstate', {})).body.code).toBe(-22);
    expect((await o.call('POST', 'persons/leaver1/reinstate', {})).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.ds.query(`SELECT status, leave_date FROM person WHERE pin = 'leaver1'`))[0]).toEqual({ status: 'active', leave_date: null });
    await sim.pollUntilIdle();
    expect(sim.user('leaver1')).toMatchObject({ Pin: 'leaver1', Name: 'Lee', CardNo: '775511' });
    expect(sim.rightsOf('leaver1')).toHaveLength(1);
    const after = (await o.call('GET', 'persons/leaver1')).body.data;
    expect(after.left).toBeNull();
    expect(after.devices).toEqual([expect.objectContaining({ deviceSn: 'CONSOLEAPI3', state: 'synced', holds: true, pendingCommands: 0 })]);

    const outcomes = (rows: Array<{ operator: string; target: string; outcome: string }>) => rows.map((r) => `${r.operator} ${r.target} ${r.outcome}`).sort();
    expect(outcomes(await auditOf('person.leave'))).toEqual(['otto leaver1 failed', 'otto leaver1 failed', 'otto leaver1 ok', 'vera leaver1 refused']);
    expect(outcomes(await auditOf('person.reinstate'))).toEqual(['otto leaver1 ok', 'otto nobody-here failed', 'vera leaver1 refused']);
  });
});

describe('console API: second factor and sign-in limits', () => {
  it('turns TOTP on with a valid code, then asks for it at sign-in and refuses a wrong one', async () => {
    await createOperator(t, 'tina', 'operator', 'tina-password-1');
    const c = await signIn(t, 'tina', 'tina-password-1');
    const start = await c.call('POST', 'session/totp/start');
    const secret = start.body.data.secret as string;
    expect(start.body.data.uri).toContain(`secret=${secret}`);
    expect((await c.call('POST', 'session/totp/confirm', { code: '000000' })).body.code).toBe(-400);
    const code = () => totp(base32Decode(secret), Math.floor(Date.now() / 1000));
    expect((await c.call('POST', 'session/totp/confirm', { code: code() })).body.code).toBe(0);
    // On now: another set-up (which would replace the key with no password asked) is refused until it is turned off.
    expect((await c.call('POST', 'session/totp/start')).body).toMatchObject({ code: -409, message: expect.stringContaining('turn it off first') });

    const first = await rawCall(t, 'POST', '/console/api/session/login', { name: 'tina', password: 'tina-password-1' });
    expect(first.body.data).toEqual({ totpRequired: true });
    expect(first.headers.get('set-cookie')).toBeNull();
    const wrong = await rawCall(t, 'POST', '/console/api/session/login', { name: 'tina', password: 'tina-password-1', code: '123456' === code() ? '654321' : '123456' });
    expect(wrong.status).toBe(401);
    const used = code();
    const ok = await signIn(t, 'tina', 'tina-password-1', { code: used });
    expect((await ok.call('GET', 'session')).body.data.operator.totpEnabled).toBe(true);
    // A code seen once (shoulder-surfed, logged by a proxy) does not sign in again.
    const replay = await rawCall(t, 'POST', '/console/api/session/login', { name: 'tina', password: 'tina-password-1', code: used }, { 'x-forwarded-for': '10.40.0.1' });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toBe('The one-time code is wrong');
  });

  it('refuses a sign-in as a form post (JSON only)', async () => {
    const res = await fetch(`${t.baseUrl}/console/api/session/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=ada&password=ada-password-1' });
    expect(res.status).toBe(415);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('throttles failed sign-ins per operator name (CONSOLE_LOGIN_LIMIT), even with the right password afterwards', async () => {
    await createOperator(t, 'gus', 'viewer', 'gus-password-1');
    for (let i = 0; i < 4; i++) {
      const r = await rawCall(t, 'POST', '/console/api/session/login', { name: 'gus', password: `guess-${i}-wrong` }, { 'x-forwarded-for': `10.9.0.${i + 1}` });
      expect(r.status).toBe(401);
    }
    const blocked = await rawCall(t, 'POST', '/console/api/session/login', { name: 'gus', password: 'gus-password-1' }, { 'x-forwarded-for': '10.9.0.99' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe(-429);
    const log = await t.ds.query(`SELECT outcome FROM console_audit WHERE action = 'session.login' AND target = 'gus' ORDER BY id`);
    expect(log.map((r: { outcome: string }) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'refused']);
  });
});

describe('the first operator: command line and first start', () => {
  async function operatorCli(args: string[], stdinText?: string): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.db.url;
    try {
      const stdin = Readable.from(stdinText === undefined ? [] : [stdinText]);
      const code = await runOperatorCommand(args, (l) => lines.push(l), stdin);
      return { code, lines };
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  }

  it('npm run operator -- create prints a generated password once, which signs in; --password-stdin prints none', async () => {
    const made = await operatorCli(['create', 'root', '--role', 'admin']);
    expect(made.code).toBe(0);
    expect(made.lines[0]).toBe('created operator "root" (admin)');
    const password = made.lines.at(-1)!;
    expect(password).toMatch(/^[\w-]{16}$/);
    expect((await (await signIn(t, 'root', password)).call('GET', 'session')).body.data.operator.role).toBe('admin');

    const quiet = await operatorCli(['create', 'kim', '--role', 'viewer', '--password-stdin'], 'kim-chosen-password\n');
    expect(quiet.lines).toEqual(['created operator "kim" (viewer)']);
    await signIn(t, 'kim', 'kim-chosen-password');
    expect((await operatorCli(['create', 'kim'])).code).toBe(1);
    expect((await operatorCli(['create', 'x', '--role', 'boss'])).code).toBe(2);
    // A word the command does not take is refused, not skipped: a mistyped --rol would otherwise create an
    // administrator under the default role, a --role without its value likewise.
    for (const wrong of [['create', 'x', '--rol', 'viewer'], ['create', 'x', '--role'], ['create', '--role', 'viewer', 'x'], ['create', 'x', 'y'], ['list', '--all'], ['disable', 'kim', '--force']]) {
      const refused = await operatorCli(wrong);
      expect(refused.code, wrong.join(' ')).toBe(2);
      expect(refused.lines[0], wrong.join(' ')).toMatch(/^\w+: (unknown option --\w+|--role needs a value|the name \("x"\) comes before the options|unexpected argument "(y|viewer)")$/);
      expect(refused.lines[1]).toMatch(/^usage: npm run operator -- create <name> \[--role admin\|operator\|viewer \(default admin\)\] \[--password-stdin\]\n/);
    }
    expect(await t.ds.query(`SELECT name FROM console_operator WHERE name IN ('x', 'viewer')`)).toEqual([]);
    expect((await operatorCli(['disable', 'kim'])).code).toBe(0);
    await expect(signIn(t, 'kim', 'kim-chosen-password', {}, { 'x-forwarded-for': '10.20.0.2' })).rejects.toThrow(/Wrong operator name/);
    expect((await operatorCli(['list'])).lines.some((l) => l.startsWith('kim\tviewer\tno\t'))).toBe(true);
  });

  it('CONSOLE_ADMIN_PASSWORD creates "admin" only while there is no operator; nothing is open by default', async () => {
    const config = t.config;
    const make = (adminPassword: string | undefined) =>
      new ConsoleSessionService(t.ds, t.app.get(OperatorService), t.app.get(ConsoleAuditService), { ...config, console: { ...config.console, adminPassword } });
    await make('first-start-password').onApplicationBootstrap();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM console_operator WHERE name = 'admin'`))[0].n).toBe(0);
    await t.ds.query(`DELETE FROM console_operator`);
    await make(undefined).onApplicationBootstrap();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM console_operator`))[0].n).toBe(0);
    await make('first-start-password').onApplicationBootstrap();
    const c = await signIn(t, 'admin', 'first-start-password', {}, { 'x-forwarded-for': '10.20.0.1' });
    expect((await c.call('GET', 'session')).body.data.operator).toMatchObject({ name: 'admin', role: 'admin' });
  });

  it('two gateway processes starting together on a fresh database with CONSOLE_ADMIN_PASSWORD both start; one "admin"', async () => {
    // Both see no operator, both insert: the second insert meets uq_console_operator_name. That process must take
    // it as the other one's work, not fail its start (a 23505 that is not a CvError used to escape the bootstrap).
    const config = t.config;
    // Each process's look-up of the name returns only once both have looked (no row yet): the race, every time.
    const real = t.app.get(OperatorService);
    let looked = 0;
    let bothLooked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothLooked = resolve));
    const racing = Object.create(real) as OperatorService;
    racing.findByName = async (name: string) => {
      const row = await real.findByName(name);
      if (++looked === 2) bothLooked();
      await barrier;
      return row;
    };
    const make = () => new ConsoleSessionService(t.ds, racing, t.app.get(ConsoleAuditService), { ...config, console: { ...config.console, adminPassword: 'both-start-password' } });
    const saved = await t.ds.query(`SELECT * FROM console_operator`);
    await t.ds.query(`DELETE FROM console_operator`);
    try {
      const started = await Promise.allSettled([make().onApplicationBootstrap(), make().onApplicationBootstrap()]);
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started']);
      expect((await t.ds.query(`SELECT count(*)::int AS n FROM console_operator WHERE name = 'admin'`))[0].n).toBe(1);
    } finally {
      await t.ds.query(`DELETE FROM console_operator`);
      for (const row of saved) {
        const cols = Object.keys(row);
        await t.ds.query(`INSERT INTO console_operator (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => row[c]));
      }
    }
  });
});

describe('the console pages', () => {
  it('serves the built page at /console and its client routes, with a strict content security policy, and no file outside its folder', async () => {
    await ensureConsoleBuilt();
    const page = await rawCall(t, 'GET', '/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const script = /src="\/console\/assets\/([\w.-]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const asset = await rawCall(t, 'GET', `/console/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await rawCall(t, 'GET', '/console/persons')).text).toBe(page.text);
    for (const bad of ['/console/assets/..%2F..%2Fpackage.json', '/console/assets/.env', '/console/assets/nope.js']) {
      const r = await rawCall(t, 'GET', bad);
      expect(r.status, bad).toBe(404);
      expect(r.body.code).toBe(-404);
    }
    expect((await rawCall(t, 'GET', '/console/api/nothing-here')).status).toBe(404);
  });

  it('sends the bare address (a browser opening http://host:8088/) on to the console', async () => {
    await ensureConsoleBuilt();
    const bare = await fetch(`${t.baseUrl}/`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console');
    expect((await rawCall(t, 'GET', '/')).text).toBe((await rawCall(t, 'GET', '/console')).text);
  });
});
