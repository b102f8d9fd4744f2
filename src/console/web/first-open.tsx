import { useState } from 'preact/hooks';
import { api } from './api';
import type { Me } from './main';
import { can, Confirm, DataTable, Field, Notice, useAction, useLoad } from './ui';

type RuleForm = { id: string | null; doorId: string; timeSegmentId: string; pins: string };

const EMPTY: RuleForm = { id: null, doorId: '', timeSegmentId: '', pins: '' };

/** The pins an operator typed: comma, space or newline separated. */
const pinsOf = (text: string) => text.split(/[\s,]+/).filter((p) => p !== '');

/**
 * CVSecurity's Access > Advanced Functions > First-Person Normally Open: per door a time segment and its persons; in
 * that segment the door stays open once one of them first verifies. The rules are listed per door; an operator adds,
 * edits and deletes them, and each save sends the door's panel its `firstcard` rows (Door<n>FirstCardOpenDoor=1).
 */
export function FirstOpenPage({ me }: { me: Me }) {
  const mayEdit = can(me.role, 'operator');
  const rules = useLoad(() => api<any[]>('GET', 'first-open'), []);
  const doors = useLoad(() => (mayEdit ? api<any>('GET', 'doors?size=500').then((d) => d.rows as any[]) : Promise.resolve([])), [mayEdit]);
  const segments = useLoad(() => (mayEdit ? api<any[]>('GET', 'catalog/time-segments') : Promise.resolve([])), [mayEdit]);
  const [form, setForm] = useState<RuleForm | null>(null);
  const [removing, setRemoving] = useState<any | null>(null);
  const a = useAction();

  async function save() {
    const f = form!;
    const body = { doorId: f.doorId, timeSegmentId: f.timeSegmentId, pins: pinsOf(f.pins) };
    const r: any = await a.run(() => (f.id ? api('PUT', `first-open/${f.id}`, body) : api('POST', 'first-open', body)));
    if (r === undefined) return;
    const door = (doors.data ?? []).find((d) => d.id === f.doorId)?.name ?? 'the door';
    a.setOk(`First-Person Normally Open rule of ${door} saved; ${r.queued > 0 ? 'its panel is sent it' : 'its panel holds it already'}`);
    setForm(null);
    rules.reload();
  }

  async function remove() {
    const rule = removing;
    setRemoving(null);
    if ((await a.run(() => api('DELETE', `first-open/${rule.id}`))) === undefined) return;
    a.setOk(`First-Person Normally Open rule of ${rule.doorName} in ${rule.timeSegName} deleted; its panel is told`);
    rules.reload();
  }

  return (
    <section>
      <h2>First-Person Normally Open</h2>
      <p>In a rule's time segment, its door stays open once one of the rule's persons first verifies there (a person needs access rights on the door to verify).</p>
      <Notice error={a.error ?? rules.error} ok={a.ok} />
      {mayEdit && !form && (
        <button type="button" onClick={() => (a.setError(undefined), setForm(EMPTY))}>
          Add rule
        </button>
      )}
      {form && (
        <form
          aria-label={form.id ? 'Edit First-Person Normally Open rule' : 'Add First-Person Normally Open rule'}
          onSubmit={(e) => (e.preventDefault(), save())}
          onInvalidCapture={a.invalid}
        >
          <Field required label="Door">
            <select name="doorId" value={form.doorId} onChange={(e) => setForm({ ...form, doorId: e.currentTarget.value })}>
              <option value="" disabled>
                choose
              </option>
              {(doors.data ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
          <Field required label="Time segment">
            <select name="timeSegmentId" value={form.timeSegmentId} onChange={(e) => setForm({ ...form, timeSegmentId: e.currentTarget.value })}>
              <option value="" disabled>
                choose
              </option>
              {(segments.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Persons (pins, separated by commas or spaces)">
            <textarea name="pins" value={form.pins} onInput={(e) => setForm({ ...form, pins: e.currentTarget.value })} />
          </Field>
          <div class="row">
            <button type="submit" aria-busy={a.busy}>
              Save rule
            </button>
            <button type="button" class="secondary outline" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {rules.data && (
        <DataTable
          label="First-Person Normally Open rules"
          rows={rules.data}
          rowKey={(r: any) => r.id}
          empty="No First-Person Normally Open rule: every door opens only for the time of a verification."
          columns={[
            { head: 'Door', cell: (r: any) => r.doorName },
            { head: 'Panel', cell: (r: any) => r.deviceSn },
            { head: 'Time segment', cell: (r: any) => r.timeSegName },
            { head: 'Persons', cell: (r: any) => r.persons.map((p: any) => `${p.name} (${p.pin})`).join(', ') || 'none' },
            ...(mayEdit
              ? [
                  {
                    head: 'Actions',
                    cell: (r: any) => (
                      <div class="row">
                        <button
                          type="button"
                          class="secondary outline"
                          aria-label={`Edit rule of ${r.doorName} in ${r.timeSegName}`}
                          onClick={() => (a.setError(undefined), setForm({ id: r.id, doorId: r.doorId, timeSegmentId: r.timeSegmentId, pins: r.persons.map((p: any) => p.pin).join(', ') }))}
                        >
                          Edit
                        </button>
                        <button type="button" class="secondary outline" aria-label={`Delete rule of ${r.doorName} in ${r.timeSegName}`} onClick={() => setRemoving(r)}>
                          Delete
                        </button>
                      </div>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      <Confirm open={removing !== null} title="Delete the rule?" confirmLabel="Delete" danger onConfirm={remove} onCancel={() => setRemoving(null)}>
        {removing && <p>{`The First-Person Normally Open rule of ${removing.doorName} in ${removing.timeSegName} is deleted, and its panel loses its rows.`}</p>}
      </Confirm>
    </section>
  );
}
