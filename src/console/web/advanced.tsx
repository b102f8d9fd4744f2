import { useState } from 'preact/hooks';
import { api } from './api';
import type { Me } from './main';
import { Badge, can, Confirm, deviceLabel, Field, Notice, Pager, SearchFilters, useAction, usePagedList } from './ui';

type RuleValue = { value: number; label: string };
type Rule = 'interlock' | 'antiPassback';

/** Where a rule is, as the list says it (panel-rules.service.ts RuleState). */
const STATES: Record<string, { tone: 'ok' | 'warn' | 'bad' | 'muted'; words: string }> = {
  held: { tone: 'ok', words: 'held by the panel' },
  sending: { tone: 'warn', words: 'waiting for the panel' },
  doubt: { tone: 'bad', words: 'not confirmed, sent again' },
  notSent: { tone: 'muted', words: 'not sent: the panel has fewer doors now' },
};

/** The rule as the list shows it: the Appendix row's words, or "the panel's own" when never set. */
function ruleCell(v: number | null, label: string | null, state: string) {
  if (v === null) return <span>the panel's own</span>;
  const s = STATES[state];
  return (
    <span>
      {label ?? v} {s && <Badge tone={s.tone}>{s.words}</Badge>}
    </span>
  );
}

/**
 * CVSecurity's Access > Advanced Functions, Interlock and Anti-Passback: each access panel with its rules (the
 * Appendix 9 and 8 values its doors allow), and an operator's Edit. The planner sends them to the panel as its own
 * options (SET OPTIONS InterLock=, AntiPassback=) with the save; the list says whether the panel holds them.
 */
export function AdvancedPage({ me }: { me: Me }) {
  const l = usePagedList('advanced-functions', { q: '' });
  const { data, error, reload } = l.list;
  const mayEdit = can(me.role, 'operator');
  const [edit, setEdit] = useState<{ was: any; interlock: string; antiPassback: string } | null>(null);
  const ea = useAction();
  async function save() {
    const e = edit!;
    const body: Record<string, number> = {};
    for (const k of ['interlock', 'antiPassback'] as Rule[]) if (e[k] !== '' && e[k] !== String(e.was[k] ?? '')) body[k] = Number(e[k]);
    if (Object.keys(body).length === 0) return setEdit(null);
    const done = (r: any) => (r.queued > 0 ? `${deviceLabel(e.was.name, r.deviceSn)} saved; its rules are sent to the panel (SET OPTIONS), held once it confirms` : `${deviceLabel(e.was.name, r.deviceSn)} saved; the panel holds them already`);
    if ((await ea.run(() => api('PUT', `advanced-functions/${encodeURIComponent(e.was.sn)}`, body), done)) !== undefined) setEdit(null);
    reload();
  }
  const choice = (k: Rule, label: string, values: RuleValue[]) => (
    <Field label={label}>
      <select name={k} value={edit![k]} onChange={(ev) => setEdit({ ...edit!, [k]: ev.currentTarget.value })}>
        {edit!.was[k] === null && <option value="">The panel's own (not set)</option>}
        {values.map((v) => (
          <option key={v.value} value={String(v.value)}>
            {v.label}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <>
      <Notice ok={ea.ok} />
      <SearchFilters label="Filter panels" list={l} fields={[['q', 'Panel name or SN']]} />
      {error && <Notice error={error} />}
      {!error && !data && <p aria-busy="true">Loading…</p>}
      {!error && data && (
        <>
          <div class="table-wrap">
            <table aria-label="Interlock and anti-passback">
              <thead>
                <tr>
                  <th scope="col">Panel</th>
                  <th scope="col">Doors</th>
                  <th scope="col">Interlock</th>
                  <th scope="col">Anti-Passback</th>
                  {mayEdit && <th scope="col">Edit</th>}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((d: any) => (
                  <tr key={d.sn}>
                    <td>{deviceLabel(d.name, d.sn)}</td>
                    <td>{d.lockCount}</td>
                    <td>{ruleCell(d.interlock, d.interlockLabel, d.interlockState)}</td>
                    <td>{ruleCell(d.antiPassback, d.antiPassbackLabel, d.antiPassbackState)}</td>
                    {mayEdit && (
                      <td>
                        <button type="button" class="secondary outline" aria-label={`Edit rules of ${d.sn}`} onClick={() => (ea.setError(undefined), setEdit({ was: d, interlock: d.interlock === null ? '' : String(d.interlock), antiPassback: d.antiPassback === null ? '' : String(d.antiPassback) }))}>
                          Edit
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
                {data.rows.length === 0 && (
                  <tr>
                    <td colSpan={5}>{l.filter.q ? 'No panel matches.' : 'No access panel yet: approve one.'}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager page={data.page} size={data.size} total={data.total} onPage={l.setPage} />
        </>
      )}
      <Confirm open={!!edit} title="Edit interlock and anti-passback" confirmLabel={edit ? `Save ${edit.was.sn}` : ''} onConfirm={save} onCancel={() => setEdit(null)}>
        {edit && (
          <>
            <Notice error={ea.error} />
            <p>
              {deviceLabel(edit.was.name, edit.was.sn)}: {edit.was.lockCount} doors. Only the rules its doors allow are offered; "None" clears a rule.
            </p>
            {choice('interlock', 'Interlock', edit.was.interlockValues)}
            {choice('antiPassback', 'Anti-Passback', edit.was.antiPassbackValues)}
            <small>Saved rules are sent to the panel as its own options; it applies them even when the gateway is unreachable.</small>
          </>
        )}
      </Confirm>
    </>
  );
}
