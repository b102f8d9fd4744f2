import { useState } from 'preact/hooks';
import { api } from './api';
import { Badge, DataTable, deviceLabel, Field, Notice, useAction, useEvery, useLoad } from './ui';

/** What the controller confirmed of a rule, in words: held as stored now, or on its way with its refusals. */
function heldText(r: any) {
  if (r.confirmed) return <Badge tone="ok">held since {r.confirmedAt}</Badge>;
  if (r.failures > 0) return <Badge tone="bad">{`not held: ${r.failures} ${r.failures === 1 ? 'try' : 'tries'} refused or unanswered${r.lastReturn != null ? ` (Return ${r.lastReturn})` : ''}, retried`}</Badge>;
  return <Badge tone="warn">on its way</Badge>;
}

/**
 * A channel controller's pass rules (CVSecurity's passage rules of a channel controller): its passing mode during each
 * time segment, listed with whether the controller confirmed holding it, and set (operator role) through the service of
 * REST's psgDevice/{sn}/passRule, which stores the rule and queues its `gatepassrule` command in one transaction.
 */
export function PassRules({ controller, mayEdit, onClose }: { controller: { sn: string; alias?: string | null }; mayEdit: boolean; onClose: () => void }) {
  const name = deviceLabel(controller.alias, controller.sn);
  const path = `entrance/controllers/${encodeURIComponent(controller.sn)}/pass-rules`;
  const rules = useLoad(() => api<any[]>('GET', path), [controller.sn]);
  const segments = useLoad(() => (mayEdit ? api<any[]>('GET', 'catalog/time-segments') : Promise.resolve([])), [mayEdit]);
  const [form, setForm] = useState({ timeSegName: '', passMode: '0' });
  const a = useAction();
  // A rule on its way is confirmed by the controller's Return: read again until none is.
  useEvery(2_000, () => rules.data?.some((r) => !r.confirmed) && rules.reload());

  async function save(e: Event) {
    e.preventDefault();
    const r: any = await a.run(() => api('POST', path, { timeSegName: form.timeSegName, passMode: Number(form.passMode) }));
    if (r === undefined) return;
    a.setOk(
      !r.queued
        ? `Pass rule for ${form.timeSegName} stored; nothing was sent: ${name} refused the gatepassrule table (see its convergence)`
        : r.online
          ? `Pass rule for ${form.timeSegName} saved; ${name} receives it`
          : `Pass rule for ${form.timeSegName} saved; ${name} is offline and receives it when it polls again`,
    );
    rules.reload();
  }

  return (
    <div>
      <h3>Pass rules of {name}</h3>
      <Notice error={a.error ?? rules.error} ok={a.ok} />
      {rules.data && (
        <DataTable
          label={`Pass rules of ${controller.sn}`}
          rows={rules.data}
          rowKey={(r: any) => String(r.timezoneId)}
          empty="No pass rule: the controller passes as its own settings say."
          columns={[
            { head: 'Time segment', cell: (r: any) => r.timeSegName },
            { head: 'Time zone on the controller', cell: (r: any) => r.timezoneId },
            { head: 'Passing mode', cell: (r: any) => r.passMode },
            { head: 'Controller', cell: heldText },
          ]}
        />
      )}
      {mayEdit && (
        <form class="row" aria-label={`Set a pass rule of ${controller.sn}`} onSubmit={save} onInvalidCapture={a.invalid}>
          <Field required label="Time segment">
            <select name="timeSegName" value={form.timeSegName} onChange={(e) => setForm({ ...form, timeSegName: e.currentTarget.value })}>
              <option value="" disabled>
                choose
              </option>
              {(segments.data ?? []).map((s) => (
                <option key={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
          {/* The manual does not define the modes' values: a byte, passed through as the REST call takes it. */}
          <Field required label="Passing mode (0-255)">
            <input type="number" name="passMode" min={0} max={255} step={1} value={form.passMode} onInput={(e) => setForm({ ...form, passMode: e.currentTarget.value })} />
          </Field>
          <button type="submit" aria-busy={a.busy}>
            Save rule
          </button>
        </form>
      )}
      <button type="button" class="secondary outline" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
