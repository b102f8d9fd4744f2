import type { Me } from './main';
import { Badge, Field, PagedTable, usePagedList } from './ui';

export function AuditPage(_: { me: Me }) {
  const l = usePagedList('audit', { operator: '', action: '', target: '' });
  return (
    <>
      <form class="row" aria-label="Filter the audit log" onSubmit={l.apply}>
        <Field label="Operator">
          <input value={l.form.operator} onInput={l.set('operator')} />
        </Field>
        <Field label="Action starts with">
          <input value={l.form.action} placeholder="door." onInput={l.set('action')} />
        </Field>
        {/* As an operator knows the thing: its id, pin or SN, or the name the line's detail gives it (a door, a person, a level). */}
        <Field label="Target or name contains">
          <input value={l.form.target} placeholder="Lobby-1" onInput={l.set('target')} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <PagedTable
        list={l.list}
        setPage={l.setPage}
        id="audit-table"
        label="Audit log"
        rowKey={(r: any) => r.id}
        empty="Nothing recorded matches."
        columns={[
          { head: 'Time', cell: (r: any) => r.at },
          {
            head: 'Operator',
            cell: (r: any) => (
              <>
                {r.operator ?? '(system)'} {r.role && <small>({r.role})</small>}
              </>
            ),
          },
          { head: 'Action', cell: (r: any) => r.action },
          { head: 'Target', cell: (r: any) => r.target },
          { head: 'Outcome', cell: (r: any) => <Badge tone={r.outcome === 'ok' ? 'ok' : r.outcome === 'refused' ? 'bad' : 'warn'}>{r.outcome}</Badge> },
          { head: 'Detail', cell: (r: any) => <small>{r.detail ? Object.entries(r.detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : ''}</small> },
          { head: 'Address', cell: (r: any) => r.ip },
        ]}
      />
    </>
  );
}
