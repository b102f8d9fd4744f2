import { useState } from 'preact/hooks';
import { api } from './api';
import { DataTable, deviceLabel, Field, Notice, Pager, Ticks, useAction, useConfirm, useLoad } from './ui';

const persons = (n: number) => `${n} ${n === 1 ? 'person' : 'persons'}`;
const pinList = (text: string) => text.split(/[\s,;]+/).filter(Boolean);

/** The level form: `was` is the edited level's name as listed (the form's name while the operator renames it). */
type Draft = { id?: string; version?: string; was?: string; name: string; timeSegName: string; floorIds: string[] };
const NEW: Draft = { name: '', timeSegName: '', floorIds: [] };

/** A new level's time segment unless changed: the always-open one (time zone 1 on the controllers), as a level without one gets. */
const defaultSegment = (segments: any[] | undefined): string => (segments?.find((s) => s.tzId === 1) ?? segments?.[0])?.name ?? '';

/**
 * CVSecurity's Elevator Level page: levels made of floors and one time segment, created, edited (floors ticked per
 * controller) and deleted, and their persons added or taken out by pin. Every change goes through the same service as
 * the REST API's eleLevel calls, in one transaction with the controllers' commands (usereleauthorize, timezone).
 */
export function ElevatorLevels({ mayEdit }: { mayEdit: boolean }) {
  const levels = useLoad(() => api<any[]>('GET', 'elevator/levels'));
  const floors = useLoad(() => api<any[]>('GET', 'elevator/floors/all'));
  const segments = useLoad(() => api<any[]>('GET', 'catalog/time-segments'));
  const [draft, setDraft] = useState<Draft | null>(null);
  // The level whose persons are shown (by id: read from the list, so its count follows the changes made here).
  const [membersOf, setMembersOf] = useState<string | null>(null);
  const members = (levels.data ?? []).find((l) => l.id === membersOf);
  const [pins, setPins] = useState({ levelId: '', text: '' });
  const a = useAction();
  const confirm = useConfirm();
  const changed = (message: string) => {
    a.setOk(message);
    levels.reload();
  };

  async function save(e: Event) {
    e.preventDefault();
    const d = draft!;
    const body = { name: d.name, timeSegName: d.timeSegName || undefined, floorIds: d.floorIds, version: d.version };
    const r = await a.run(() => (d.id ? api('PUT', `elevator/levels/${encodeURIComponent(d.id)}`, body) : api('POST', 'elevator/levels', body)));
    if (r === undefined) return;
    setDraft(null);
    changed(`Elevator level ${d.name.trim()} saved; its controllers receive its floors`);
  }

  function remove(l: any) {
    confirm.ask({
      title: 'Delete elevator level',
      confirmLabel: `Delete ${l.name}`,
      danger: true,
      question: `Delete ${l.name}? Its ${persons(l.persons)} lose its floors on the controllers unless another of their levels grants them.`,
      run: async () => {
        if ((await a.run(() => api('DELETE', `elevator/levels/${encodeURIComponent(l.id)}`))) === undefined) return;
        if (membersOf === l.id) setMembersOf(null);
        changed(`Elevator level ${l.name} deleted`);
      },
    });
  }

  /** Add or remove the typed pins (all or none: a pin nobody's is refused, naming it); removing asks first. */
  function changePersons(e: Event) {
    e.preventDefault();
    const level = (levels.data ?? []).find((l) => l.id === pins.levelId);
    if (!level) return;
    const list = pinList(pins.text);
    const add = (e as SubmitEvent).submitter?.getAttribute('value') !== 'remove';
    const run = async () => {
      const r: any = await a.run(() => api('POST', `elevator/levels/${encodeURIComponent(level.id)}/persons${add ? '' : '/remove'}`, { pins: list }));
      if (r === undefined) return;
      if (add) changed(r.persons ? `${persons(r.persons)} added to ${level.name}; its controllers receive them${r.already ? ` (${r.already} already members)` : ''}` : `No one added to ${level.name}: ${r.already} already members`);
      else changed(r.persons ? `${persons(r.persons)} removed from ${level.name}; the controllers are told to withdraw its floors${r.notMembers ? ` (${r.notMembers} not members)` : ''}` : `No one removed from ${level.name}: ${r.notMembers} not members`);
      setPins({ ...pins, text: '' });
    };
    if (add) return void run();
    confirm.ask({ title: 'Remove persons from elevator level', confirmLabel: `Remove from ${level.name}`, danger: true, question: `Remove ${list.join(', ')} from ${level.name}? They lose its floors unless another of their levels grants them.`, run });
  }

  const byController = new Map<string, any[]>();
  for (const f of floors.data ?? []) {
    const key = deviceLabel(f.controller, f.sn);
    byController.set(key, [...(byController.get(key) ?? []), f]);
  }
  return (
    <section aria-labelledby="ele-level-h">
      <h2 id="ele-level-h">Elevator levels</h2>
      <Notice error={a.error ?? levels.error} ok={a.ok} />
      {levels.data && (
        <DataTable
          label="Elevator levels"
          rows={levels.data}
          rowKey={(l: any) => l.id}
          empty={mayEdit ? 'No elevator level yet: create one below, tick its floors, then add its persons.' : 'No elevator level yet.'}
          columns={[
            { head: 'Level', cell: (l: any) => l.name },
            { head: 'Time segment', cell: (l: any) => l.timeSegment },
            { head: 'Floors', cell: (l: any) => l.floors.join(', ') || 'none' },
            {
              head: 'Persons',
              cell: (l: any) => (
                <button type="button" class="secondary outline" aria-label={`Persons of ${l.name}: ${l.persons}`} onClick={() => setMembersOf(l.id)}>
                  {l.persons}
                </button>
              ),
            },
            mayEdit && {
              head: 'Actions',
              cell: (l: any) => (
                <div class="actions">
                  <button type="button" class="secondary" aria-label={`Edit ${l.name}`} onClick={() => setDraft({ id: l.id, version: l.version, was: l.name, name: l.name, timeSegName: l.timeSegment ?? '', floorIds: l.floorIds })}>
                    Edit
                  </button>
                  <button type="button" class="secondary outline" aria-label={`Delete ${l.name}`} onClick={() => remove(l)}>
                    Delete
                  </button>
                </div>
              ),
            },
          ]}
        />
      )}
      {mayEdit && !draft && (
        <button type="button" onClick={() => setDraft({ ...NEW, timeSegName: defaultSegment(segments.data) })}>
          New elevator level
        </button>
      )}
      {draft && (
        <form aria-label={draft.id ? `Edit elevator level ${draft.was}` : 'New elevator level'} onSubmit={save} onInvalidCapture={a.invalid}>
          <div class="row">
            <Field required label="Level name">
              <input name="name" maxLength={100} value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
            </Field>
            <Field label="Time segment">
              <select name="timeSegName" value={draft.timeSegName} onChange={(e) => setDraft({ ...draft, timeSegName: e.currentTarget.value })}>
                {(segments.data ?? []).map((s) => (
                  <option key={s.id}>{s.name}</option>
                ))}
              </select>
            </Field>
          </div>
          {[...byController].map(([controller, list]) => (
            <fieldset key={controller}>
              <legend>Floors of {controller}</legend>
              <div class="checks">
                <Ticks name="floor" options={list.map((f) => ({ id: f.id, label: f.name }))} ticked={draft.floorIds} onChange={(floorIds) => setDraft({ ...draft, floorIds })} />
              </div>
            </fieldset>
          ))}
          {floors.data?.length === 0 && <p>No floors yet: a controller reports them when it registers.</p>}
          <div class="actions">
            <button type="submit" aria-busy={a.busy}>
              {draft.id ? 'Save level' : 'Create level'}
            </button>
            <button type="button" class="secondary outline" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {/* CVSecurity's Add Personnel / Delete Personnel on an elevator level: many persons at once, by pin. */}
      {mayEdit && (levels.data?.length ?? 0) > 0 && (
        <form class="row" aria-label="Persons of an elevator level" onSubmit={changePersons} onInvalidCapture={a.invalid}>
          <Field required label="Elevator level">
            <select name="levelId" value={pins.levelId} onChange={(e) => setPins({ ...pins, levelId: e.currentTarget.value })}>
              <option value="" disabled>
                choose
              </option>
              {(levels.data ?? []).map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </Field>
          <Field required label="Person pins (comma-separated)">
            <input name="pins" value={pins.text} onInput={(e) => setPins({ ...pins, text: e.currentTarget.value })} />
          </Field>
          <button type="submit" value="add">
            Add persons
          </button>
          <button type="submit" value="remove" class="secondary">
            Remove persons
          </button>
        </form>
      )}
      {members && <LevelMembers level={members} onClose={() => setMembersOf(null)} />}
      {confirm.dialog}
    </section>
  );
}

/** The persons of one elevator level, paged. */
function LevelMembers({ level, onClose }: { level: any; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const list = useLoad(() => api<any>('GET', `elevator/levels/${encodeURIComponent(level.id)}/persons?page=${page}&size=50`), [level.id, level.persons, page]);
  return (
    <div>
      <h3>Persons of {level.name}</h3>
      {list.error ? <Notice error={list.error} /> : null}
      {list.data && (
        <>
          <DataTable
            label={`Persons of ${level.name}`}
            rows={list.data.rows}
            rowKey={(p: any) => p.pin}
            empty="Nobody holds this level."
            columns={[
              { head: 'Pin', cell: (p: any) => p.pin },
              { head: 'Name', cell: (p: any) => `${[p.name, p.lastName].filter(Boolean).join(' ')}${p.resigned ? ' (resigned)' : ''}` },
              { head: 'Department', cell: (p: any) => p.deptName },
            ]}
          />
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
        </>
      )}
      <button type="button" class="secondary outline" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
