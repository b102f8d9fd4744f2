import { useEffect, useState } from 'preact/hooks';
import { api, query } from './api';
import type { Me } from './main';
import { Badge, can, Confirm, Field, Notice, Pager, Progress, useAction, useLoad } from './ui';

function admissionBadge(d: any) {
  if (d.admission === 'pending') return <Badge tone="warn">waiting for approval</Badge>;
  if (d.admission === 'disabled') return <Badge tone="muted">disabled</Badge>;
  return d.online ? <Badge tone="ok">online</Badge> : <Badge tone="bad">offline</Badge>;
}

/** The device's command queue with Return codes and their meanings, and how much of a full sync is still to go. */
function CommandQueue({ sn }: { sn: string }) {
  const [page, setPage] = useState(1);
  const [state, setState] = useState('');
  const q = useLoad(() => api('GET', `devices/${encodeURIComponent(sn)}/commands${query({ page, state, size: 20 })}`), [sn, page, state]);
  // While commands wait, refresh every 2 s: the progress bar follows the panel working through them.
  useEffect(() => {
    const waiting = q.data ? q.data.progress.pending + q.data.progress.sent : 0;
    if (!waiting) return;
    const t = setTimeout(q.reload, 2000);
    return () => clearTimeout(t);
  }, [q.data]);
  if (q.error) return <Notice error={q.error} />;
  if (!q.data) return <p aria-busy="true">Loading…</p>;
  const p = q.data.progress;
  const waiting = p.pending + p.sent;
  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">Command queue of {sn}</h2>
      {waiting > 0 ? <Progress label={`${waiting} commands still to go`} value={p.done} max={p.done + waiting} /> : <p>Nothing waiting. {p.done} done, {p.failed} failed.</p>}
      <div class="row">
        <Field label="State">
          <select value={state} onChange={(e) => (setPage(1), setState(e.currentTarget.value))}>
            <option value="">all</option>
            <option value="pending">pending</option>
            <option value="sent">sent</option>
            <option value="done">done</option>
            <option value="failed">failed</option>
          </select>
        </Field>
      </div>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">CmdID</th>
              <th scope="col">Command</th>
              <th scope="col">State</th>
              <th scope="col">Return</th>
              <th scope="col">Meaning</th>
              <th scope="col">Tries</th>
            </tr>
          </thead>
          <tbody>
            {q.data.rows.map((c: any) => (
              <tr key={c.id}>
                <td>{c.cmdId ?? '—'}</td>
                <td>
                  <code>{c.command}</code>
                </td>
                <td>
                  <Badge tone={c.state === 'done' ? 'ok' : c.state === 'failed' ? 'bad' : 'warn'}>{c.state}</Badge>
                </td>
                <td>{c.returnCode ?? ''}</td>
                <td>{c.returnMeaning ?? c.error ?? ''}</td>
                <td>{c.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={q.data.page} size={q.data.size} total={q.data.total} onPage={setPage} />
    </section>
  );
}

export function DevicesPage({ me }: { me: Me }) {
  const list = useLoad(() => api('GET', 'devices'));
  const areas = useLoad(() => api('GET', 'catalog/areas'));
  const [selected, setSelected] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ sn: string; action: 'disable' | 'sync' } | null>(null);
  const [rename, setRename] = useState<{ sn: string; alias: string } | null>(null);
  const a = useAction();
  const isAdmin = can(me.role, 'admin');
  const isOperator = can(me.role, 'operator');
  async function act(sn: string, path: string, ok: string) {
    await a.run(() => api('POST', `devices/${encodeURIComponent(sn)}/${path}`), ok);
    list.reload();
  }
  async function doConfirm() {
    const c = confirm!;
    setConfirm(null);
    if (c.action === 'disable') await act(c.sn, 'disable', `Panel ${c.sn} disabled`);
    else {
      await act(c.sn, 'sync', `A full sync of ${c.sn} is queued`);
      setSelected(c.sn);
    }
  }
  async function saveAlias(e: Event) {
    e.preventDefault();
    const r = rename!;
    await a.run(() => api('PUT', `devices/${encodeURIComponent(r.sn)}/alias`, { alias: r.alias }), `Renamed ${r.sn}`);
    setRename(null);
    list.reload();
  }
  async function setArea(sn: string, areaCode: string) {
    await a.run(() => api('PUT', `devices/${encodeURIComponent(sn)}/area`, { areaCode }), `Moved ${sn}`);
    list.reload();
  }
  if (list.error) return <Notice error={list.error} />;
  if (!list.data) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">SN</th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Model / firmware</th>
              <th scope="col">Address</th>
              <th scope="col">Last seen</th>
              <th scope="col">Area</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((d: any) => (
              <tr key={d.sn}>
                <td>{d.sn}</td>
                <td>{d.alias}</td>
                <td>{admissionBadge(d)}</td>
                <td>
                  {d.type} {d.firmVer}
                </td>
                <td>{d.ipAddress}</td>
                <td>{d.lastSeen}</td>
                <td>
                  {isOperator ? (
                    <select aria-label={`Area of ${d.sn}`} value={d.areaCode ?? ''} onChange={(e) => setArea(d.sn, e.currentTarget.value)}>
                      {(areas.data ?? []).map((x: any) => (
                        <option key={x.code} value={x.code}>
                          {x.name}
                        </option>
                      ))}
                    </select>
                  ) : (
                    d.areaName
                  )}
                </td>
                <td>
                  <div class="actions">
                    {isAdmin && d.admission !== 'admitted' && (
                      <button type="button" onClick={() => act(d.sn, 'approve', `Panel ${d.sn} approved`)} aria-label={`Approve ${d.sn}`}>
                        Approve
                      </button>
                    )}
                    {isAdmin && d.admission === 'admitted' && (
                      <button type="button" class="secondary" onClick={() => setConfirm({ sn: d.sn, action: 'disable' })} aria-label={`Disable ${d.sn}`}>
                        Disable
                      </button>
                    )}
                    {isOperator && (
                      <button type="button" class="secondary outline" onClick={() => setRename({ sn: d.sn, alias: d.alias })} aria-label={`Rename ${d.sn}`}>
                        Rename
                      </button>
                    )}
                    {isOperator && d.admission === 'admitted' && (
                      <button type="button" class="secondary outline" onClick={() => setConfirm({ sn: d.sn, action: 'sync' })} aria-label={`Full sync ${d.sn}`}>
                        Full sync
                      </button>
                    )}
                    <button type="button" class="secondary outline" onClick={() => setSelected(d.sn)} aria-label={`Command queue of ${d.sn}`}>
                      Queue
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {list.data.length === 0 && (
              <tr>
                <td colSpan={8}>No panel has contacted the gateway yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {rename && (
        <form class="row" onSubmit={saveAlias} aria-label={`Rename ${rename.sn}`}>
          <Field label={`New name for ${rename.sn}`}>
            <input name="alias" required maxLength={100} value={rename.alias} onInput={(e) => setRename({ ...rename, alias: e.currentTarget.value })} />
          </Field>
          <button type="submit">Save name</button>
          <button type="button" class="secondary" onClick={() => setRename(null)}>
            Cancel
          </button>
        </form>
      )}
      {selected && <CommandQueue key={selected} sn={selected} />}
      <Confirm
        open={!!confirm}
        title={confirm?.action === 'sync' ? 'Full sync' : 'Disable panel'}
        confirmLabel={confirm?.action === 'sync' ? 'Queue full sync' : 'Disable'}
        danger={confirm?.action === 'disable'}
        onConfirm={doConfirm}
        onCancel={() => setConfirm(null)}
      >
        <p>{confirm?.action === 'sync' ? `Send everything ${confirm?.sn} should hold again? With many persons this takes a while; the queue shows the progress.` : `Disable ${confirm?.sn}? It will be refused until approved again.`}</p>
      </Confirm>
    </>
  );
}
