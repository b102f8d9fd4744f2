import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import type { Me } from './main';
import { Badge, can, Confirm, Field, Notice, useAction, useConfirm, useEvery, useLoad } from './ui';

function ApiClients({ tick }: { tick: number }) {
  // "Last used" moves whenever an integration calls with its token: read again with the page's shared refresh.
  const list = useLoad(() => api('GET', 'settings/api-clients'), [tick]);
  const [name, setName] = useState('');
  const [token, setToken] = useState<{ name: string; token: string } | null>(null);
  const [revoke, setRevoke] = useState<string | null>(null);
  const a = useAction();
  async function create(e: Event) {
    e.preventDefault();
    const r = await a.run(() => api('POST', 'settings/api-clients', { name }));
    if (r) {
      setToken({ name: r.name, token: r.token });
      setName('');
      list.reload();
    }
  }
  async function doRevoke() {
    const n = revoke!;
    setRevoke(null);
    await a.run(() => api('POST', `settings/api-clients/${encodeURIComponent(n)}/revoke`), `Token of ${n} revoked`);
    list.reload();
  }
  return (
    <section aria-labelledby="clients-h">
      <h2 id="clients-h">API clients</h2>
      <form class="row" onSubmit={create} onInvalidCapture={a.invalid} aria-label="New API client">
        <Field required label="New client name">
          <input name="clientName" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={a.busy}>
          Create token
        </button>
      </form>
      {token && (
        <div role="status" aria-live="polite">
          <p>
            Token of <strong>{token.name}</strong>. It is shown this once; copy it now:
          </p>
          <p class="token" id="new-token">
            {token.token}
          </p>
          <button type="button" class="secondary small" onClick={() => setToken(null)}>
            I copied it
          </button>
        </div>
      )}
      <Notice error={a.error || list.error} ok={a.ok} />
      <table aria-label="API clients">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c: any) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.enabled ? <Badge tone="ok">active</Badge> : <Badge tone="muted">revoked</Badge>}</td>
              <td>{c.createdAt}</td>
              <td>{c.lastUsedAt ?? 'never'}</td>
              <td>
                {c.enabled && (
                  <button type="button" class="small secondary" onClick={() => setRevoke(c.name)} aria-label={`Revoke ${c.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
          {list.data?.length === 0 && (
            <tr>
              <td colSpan={5}>No API client yet: create a token above for each integration.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Confirm open={!!revoke} title="Revoke token" confirmLabel={`Revoke ${revoke}`} danger onConfirm={doRevoke} onCancel={() => setRevoke(null)}>
        <p>Revoke the token of {revoke}? Its integrations stop working within seconds.</p>
      </Confirm>
    </section>
  );
}

/** The deliveries already tried and still waiting (the heads of failing queues, which "Retry now" sends again), with their attempts. */
function triedAndWaiting(rows: any[] | undefined): Map<string, number> {
  return new Map((rows ?? []).filter((d) => d.state === 'pending' && d.attempts > 0).map((d) => [d.id, d.attempts]));
}

/** How many times the panel reads again after "Retry now" (2 s apart) for the re-send's outcome: a paused target sends nothing. */
const RETRY_FOLLOW_READS = 15;

/**
 * The last 50 events queued for one target, with their delivery state and last error. `retried` counts the target's
 * "Retry now": the re-send runs in the background after the answer, so the panel reads again until a delivery it
 * re-sent shows the outcome (delivered, or one more attempt and its error), then `onSettled` (the target list reads
 * its counts again).
 */
function Deliveries({ target, retried, tick, onSettled }: { target: any; retried: number; tick: number; onSettled: () => void }) {
  // The Push Center delivers, fails and retries without the page: what it queued and did since is read again (`tick`).
  const list = useLoad(() => api('GET', `settings/push-targets/${target.id}/deliveries`), [target.id, retried, tick]);
  // Taken in the render where `retried` changes, while the panel still holds what it read before the retry.
  const follow = useRef({ retried, before: new Map<string, number>(), reads: 0 });
  if (follow.current.retried !== retried) follow.current = { retried, before: triedAndWaiting(list.data?.data), reads: 0 };
  useEffect(() => {
    const f = follow.current;
    if (!list.data || f.before.size === 0) return;
    const now = triedAndWaiting(list.data.data);
    const unanswered = [...f.before].every(([id, attempts]) => now.get(id) === attempts);
    if (!unanswered || f.reads >= RETRY_FOLLOW_READS) {
      f.before = new Map();
      if (!unanswered) onSettled();
      return;
    }
    f.reads++;
    const timer = setTimeout(list.reload, 2000);
    return () => clearTimeout(timer);
  }, [list.data]);
  if (list.error) return <Notice error={list.error} />;
  if (!list.data) return <p aria-busy="true">Loading…</p>;
  return (
    <section aria-labelledby="deliveries-h">
      <h3 id="deliveries-h">Deliveries to {target.name}</h3>
      <table aria-labelledby="deliveries-h">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Device</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Last error</th>
            <th scope="col">Delivered</th>
          </tr>
        </thead>
        <tbody>
          {list.data.data.map((d: any) => (
            <tr key={d.id}>
              <td>{d.createdAt}</td>
              <td>{d.devSn}</td>
              <td>
                <Badge tone={d.state === 'delivered' ? 'ok' : d.attempts > 0 ? 'warn' : 'muted'}>{d.state}</Badge>
              </td>
              <td>{d.attempts}</td>
              <td>{d.nextAttemptAt ?? ''}</td>
              <td>{d.lastError ?? ''}</td>
              <td>{d.deliveredAt ?? ''}</td>
            </tr>
          ))}
          {list.data.data.length === 0 && (
            <tr>
              <td colSpan={7}>Nothing queued for this target yet.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function PushTargets({ tick }: { tick: number }) {
  // Counts, last delivery and last error change as the Push Center works in the background (read once, a new
  // target kept saying "0 / 0, —" while its events went out or failed): read again with the page's shared refresh.
  const list = useLoad(() => api('GET', 'settings/push-targets'), [tick]);
  const [f, setF] = useState({ name: '', url: '', secret: '' });
  const [shown, setShown] = useState<any>(null);
  /** "Retry now" pressed, per target id (the shown panel follows its target's re-send). */
  const [retried, setRetried] = useState<Record<string, number>>({});
  const a = useAction();
  const confirm = useConfirm();
  async function create(e: Event) {
    e.preventDefault();
    const r = await a.run(() => api('POST', 'settings/push-targets', { name: f.name, url: f.url, secret: f.secret || undefined }), `Target ${f.name} added`);
    if (r) setF({ name: '', url: '', secret: '' });
    list.reload();
  }
  const current = shown && (list.data ?? []).find((t: any) => t.id === shown.id);
  async function act(method: 'PUT' | 'POST' | 'DELETE', path: string, body: unknown, ok: string) {
    const r = await a.run(() => api(method, `settings/push-targets/${path}`, body), ok);
    list.reload();
    return r;
  }
  return (
    <section aria-labelledby="push-h">
      <h2 id="push-h">Push Center targets</h2>
      <form class="row" onSubmit={create} onInvalidCapture={a.invalid} aria-label="New Push Center target">
        <Field required label="Name">
          <input maxLength={100} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />
        </Field>
        <Field required label="URL">
          <input type="url" value={f.url} onInput={(e) => setF({ ...f, url: e.currentTarget.value })} />
        </Field>
        <Field label="Signing secret (optional)">
          <input type="password" autocomplete="new-password" value={f.secret} onInput={(e) => setF({ ...f, secret: e.currentTarget.value })} />
        </Field>
        <button type="submit">Add target</button>
      </form>
      <Notice error={a.error || list.error} ok={a.ok} />
      <div class="table-wrap">
        <table aria-label="Push Center targets">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">State</th>
              <th scope="col">Waiting / retrying</th>
              <th scope="col">Last delivered</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((t: any) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.url}</td>
                <td>{t.enabled ? <Badge tone={t.delivery.retrying ? 'warn' : 'ok'}>{t.delivery.retrying ? 'retrying' : 'enabled'}</Badge> : <Badge tone="muted">paused</Badge>}</td>
                <td>
                  {t.delivery.pending} / {t.delivery.retrying}
                </td>
                <td>{t.delivery.lastDeliveredAt ?? '—'}</td>
                <td>{t.delivery.lastError ?? ''}</td>
                <td>
                  <div class="actions">
                    <button type="button" class="secondary outline" onClick={() => act('PUT', `${t.id}/enabled`, { enabled: !t.enabled }, `${t.name} ${t.enabled ? 'paused' : 'enabled'}`)}>
                      {t.enabled ? 'Pause' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      class="secondary outline"
                      onClick={async () => {
                        if (await act('POST', `${t.id}/retry`, undefined, `Retrying ${t.name} now`)) setRetried((r) => ({ ...r, [t.id]: (r[t.id] ?? 0) + 1 }));
                      }}
                    >
                      Retry now
                    </button>
                    <button type="button" class="secondary outline" onClick={() => setShown(t)} aria-label={`Deliveries to ${t.name}`}>
                      Deliveries
                    </button>
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={`Delete ${t.name}`}
                      onClick={() =>
                        // As every other delete: the events still waiting for this target are not delivered once it is gone.
                        confirm.ask({
                          title: 'Delete Push Center target',
                          confirmLabel: `Delete ${t.name}`,
                          danger: true,
                          question: `Delete ${t.name} (${t.url})? The events still waiting for it (${t.delivery.pending} waiting, ${t.delivery.retrying} retrying) will not be delivered.`,
                          run: () => act('DELETE', t.id, undefined, `${t.name} deleted`),
                        })
                      }
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {list.data?.length === 0 && (
              <tr>
                <td colSpan={7}>No target yet: add one to have the gateway push events to it.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {/* Only while the target is still listed: deleted (here or by another administrator), its panel goes with it. */}
      {current && <Deliveries key={current.id} target={current} retried={retried[current.id] ?? 0} tick={tick} onSettled={list.reload} />}
      {confirm.dialog}
    </section>
  );
}

function Operators({ me }: { me: Me }) {
  const list = useLoad(() => api('GET', 'operators'));
  const others = ((list.data ?? []) as any[]).filter((o) => o.id !== me.id);
  const [f, setF] = useState({ name: '', role: 'operator', password: '' });
  const [reset, setReset] = useState({ id: '', password: '' });
  const [del, setDel] = useState<any>(null);
  const a = useAction();
  async function remove() {
    const o = del;
    setDel(null);
    await a.run(() => api('DELETE', `operators/${o.id}`), `Operator ${o.name} deleted`);
    list.reload();
  }
  async function create(e: Event) {
    e.preventDefault();
    const r = await a.run(() => api('POST', 'operators', f), `Operator ${f.name} created`);
    if (r) setF({ name: '', role: 'operator', password: '' });
    list.reload();
  }
  async function update(o: any, change: Record<string, unknown>, ok: string) {
    await a.run(() => api('PUT', `operators/${o.id}`, change), ok);
    list.reload();
  }
  return (
    <section aria-labelledby="ops-h">
      <h2 id="ops-h">Operators and roles</h2>
      <p>
        <small>Viewers read; operators run the site (persons, doors, devices, visitors); administrators also approve panels and manage tokens, targets and operators.</small>
      </p>
      <form class="row" onSubmit={create} onInvalidCapture={a.invalid} aria-label="New operator">
        <Field required label="Name">
          <input name="opName" maxLength={64} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />
        </Field>
        <Field label="Role">
          <select name="opRole" value={f.role} onChange={(e) => setF({ ...f, role: e.currentTarget.value })}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">administrator</option>
          </select>
        </Field>
        <Field required label="Password (10+ characters)">
          <input name="opPassword" type="password" autocomplete="new-password" minLength={10} value={f.password} onInput={(e) => setF({ ...f, password: e.currentTarget.value })} />
        </Field>
        <button type="submit">Create operator</button>
      </form>
      <Notice error={a.error || list.error} ok={a.ok} />
      <table aria-label="Operators">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Second factor</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((o: any) => (
            <tr key={o.id}>
              <td>{o.name}</td>
              <td>
                <select aria-label={`Role of ${o.name}`} value={o.role} disabled={o.id === me.id} onChange={(e) => update(o, { role: e.currentTarget.value }, `${o.name} is now ${e.currentTarget.value}`)}>
                  <option value="viewer">viewer</option>
                  <option value="operator">operator</option>
                  <option value="admin">administrator</option>
                </select>
              </td>
              <td>{o.totpEnabled ? <Badge tone="ok">TOTP</Badge> : <Badge tone="muted">none</Badge>}</td>
              <td>{o.disabled ? <Badge tone="muted">disabled</Badge> : <Badge tone="ok">active</Badge>}</td>
              <td>
                {o.id !== me.id && (
                  <div class="actions">
                    <button type="button" class="small secondary" aria-label={`${o.disabled ? 'Enable' : 'Disable'} operator ${o.name}`} onClick={() => update(o, { disabled: !o.disabled }, `${o.name} ${o.disabled ? 'enabled' : 'disabled'}`)}>
                      {o.disabled ? 'Enable' : 'Disable'}
                    </button>
                    <button type="button" class="small secondary outline" aria-label={`Delete operator ${o.name}`} onClick={() => setDel(o)}>
                      Delete
                    </button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {/* Another operator's password: yours is changed under My account (with your current one). A list of no one is
          no choice at all, so until another operator exists the page says so instead of an empty dropdown. */}
      {list.data && others.length === 0 ? (
        <p>
          <small>No other operator yet: create one above to set their password here. Your own password is changed under My account.</small>
        </p>
      ) : (
      <form
        class="row"
        aria-label="Set an operator's password"
        onInvalidCapture={a.invalid}
        onSubmit={async (e) => {
          e.preventDefault();
          const o = others.find((x: any) => x.id === reset.id);
          if ((await a.run(() => api('PUT', `operators/${reset.id}`, { password: reset.password }), `New password set for ${o?.name}; their sessions ended`)) !== undefined) setReset({ id: '', password: '' });
        }}
      >
        <Field required label="Operator">
          <select value={reset.id} onChange={(e) => setReset({ ...reset, id: e.currentTarget.value })}>
            <option value="" disabled>
              choose
            </option>
            {others.map((o: any) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
          </select>
        </Field>
        <Field required label="New password (10+ characters)">
          <input type="password" autocomplete="new-password" minLength={10} value={reset.password} onInput={(e) => setReset({ ...reset, password: e.currentTarget.value })} />
        </Field>
        <button type="submit" class="secondary">
          Set password
        </button>
      </form>
      )}
      <Confirm open={!!del} title="Delete operator" confirmLabel={`Delete ${del?.name ?? ''}`} danger onConfirm={remove} onCancel={() => setDel(null)}>
        <p>Delete the operator {del?.name}? Their sessions end; the audit log keeps their actions.</p>
      </Confirm>
    </section>
  );
}

function MyAccount({ me }: { me: Me }) {
  const [pw, setPw] = useState({ current: '', next: '' });
  const [totp, setTotp] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [offPassword, setOffPassword] = useState('');
  // Whether the second factor is on now: the session's view of it is from sign-in, and after turning it on the page
  // must offer "Turn off", not a new set-up that would replace the key just added to the phone.
  const [totpOn, setTotpOn] = useState(me.totpEnabled);
  const a = useAction();
  return (
    <section aria-labelledby="me-h">
      <h2 id="me-h">My account ({me.name})</h2>
      <Notice error={a.error} ok={a.ok} />
      <form
        class="row"
        aria-label="Change password"
        onInvalidCapture={a.invalid}
        onSubmit={async (e) => {
          e.preventDefault();
          if (await a.run(() => api('POST', 'session/password', pw), 'Password changed; your other sessions ended') !== undefined) setPw({ current: '', next: '' });
        }}
      >
        <Field required label="Current password">
          <input type="password" autocomplete="current-password" value={pw.current} onInput={(e) => setPw({ ...pw, current: e.currentTarget.value })} />
        </Field>
        <Field required label="New password (10+ characters)">
          <input type="password" autocomplete="new-password" minLength={10} value={pw.next} onInput={(e) => setPw({ ...pw, next: e.currentTarget.value })} />
        </Field>
        <button type="submit">Change password</button>
      </form>
      {!totpOn && !totp && (
        <button type="button" class="secondary" onClick={async () => setTotp((await a.run(() => api('POST', 'session/totp/start'))) ?? null)}>
          Set up a second factor (TOTP)
        </button>
      )}
      {totp && (
        <form
          class="row"
          aria-label="Confirm second factor"
          onInvalidCapture={a.invalid}
          onSubmit={async (e) => {
            e.preventDefault();
            if ((await a.run(() => api('POST', 'session/totp/confirm', { code }), 'Second factor on: sign-ins now ask for a code')) !== undefined) {
              setTotp(null);
              setCode('');
              setTotpOn(true);
            }
          }}
        >
          <p>
            Add this key to an authenticator app: <code>{totp.secret}</code>
            <br />
            <small>{totp.uri}</small>
          </p>
          <Field required label="Code from the app">
            <input inputMode="numeric" pattern="[0-9]{6}" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </Field>
          <button type="submit">Turn on</button>
        </form>
      )}
      {totpOn && (
        <form
          class="row"
          aria-label="Turn off second factor"
          onInvalidCapture={a.invalid}
          onSubmit={async (e) => {
            e.preventDefault();
            if ((await a.run(() => api('POST', 'session/totp/off', { password: offPassword }), 'Second factor off')) !== undefined) {
              setOffPassword('');
              setTotpOn(false);
            }
          }}
        >
          <Field required label="Password, to turn the second factor off">
            <input type="password" value={offPassword} onInput={(e) => setOffPassword(e.currentTarget.value)} />
          </Field>
          <button type="submit" class="secondary">
            Turn off
          </button>
        </form>
      )}
    </section>
  );
}

export function SettingsPage({ me }: { me: Me }) {
  // One 10 s refresh for the page (as the Doors and Devices pages): what integrations and the Push Center change
  // without the page (a client's last use, a target's deliveries) is read again by every section at once.
  const [tick, setTick] = useState(0);
  useEvery(10_000, () => setTick((n) => n + 1));
  return (
    <>
      {can(me.role, 'admin') ? (
        <>
          <ApiClients tick={tick} />
          <PushTargets tick={tick} />
          <Operators me={me} />
        </>
      ) : (
        <p>API clients, Push Center targets and operators are managed by administrators.</p>
      )}
      <MyAccount me={me} />
    </>
  );
}
