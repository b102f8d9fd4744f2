import { useState } from 'preact/hooks';
import { api, query } from './api';
import type { Me } from './main';
import { Badge, Field, Notice, Pager, useLoad } from './ui';

export function AuditPage(_: { me: Me }) {
  const [form, setForm] = useState({ operator: '', action: '', target: '' });
  const [filter, setFilter] = useState(form);
  const [page, setPage] = useState(1);
  const list = useLoad(() => api('GET', `audit${query({ ...filter, page, size: 50 })}`), [filter, page]);
  return (
    <>
      <form
        class="row"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilter(form);
        }}
      >
        <Field label="Operator">
          <input value={form.operator} onInput={(e) => setForm({ ...form, operator: e.currentTarget.value })} />
        </Field>
        <Field label="Action starts with">
          <input value={form.action} placeholder="door." onInput={(e) => setForm({ ...form, action: e.currentTarget.value })} />
        </Field>
        <Field label="Target contains">
          <input value={form.target} onInput={(e) => setForm({ ...form, target: e.currentTarget.value })} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <Notice error={list.error} />
      {list.data && (
        <>
          <div class="table-wrap">
            <table id="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Detail</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {list.data.rows.map((r: any) => (
                  <tr key={r.id}>
                    <td>{r.at}</td>
                    <td>
                      {r.operator ?? '(system)'} {r.role && <small>({r.role})</small>}
                    </td>
                    <td>{r.action}</td>
                    <td>{r.target}</td>
                    <td>
                      <Badge tone={r.outcome === 'ok' ? 'ok' : r.outcome === 'refused' ? 'bad' : 'warn'}>{r.outcome}</Badge>
                    </td>
                    <td>
                      <small>{r.detail ? Object.entries(r.detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : ''}</small>
                    </td>
                    <td>{r.ip}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
        </>
      )}
    </>
  );
}
