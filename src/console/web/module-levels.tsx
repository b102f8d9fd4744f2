import { useState } from 'preact/hooks';
import { api } from './api';
import { DepartmentToLevel, persons } from './level-department';
import { AddRemovePersons, DataTable, DEFAULT_CODE, deviceLabel, Field, hasDefault, Notice, Pager, Ticks, useAction, useConfirm, useLoad } from './ui';

const pinList = (text: string) => text.split(/[\s,;]+/).filter(Boolean);

/** The level form: `was` is the edited level's name as listed (the form's name while the operator renames it). */
type Draft = { id?: string; version?: string; was?: string; name: string; timeSegName: string; areaName: string; pointIds: string[] };
const NEW: Draft = { name: '', timeSegName: '', areaName: '', pointIds: [] };

/** A new level's time segment unless changed: the always-open one (time zone 1 on the controllers), as a level without one gets. */
const defaultSegment = (segments: any[] | undefined): string => (segments?.find((s) => s.tzId === 1) ?? segments?.[0])?.name ?? '';

/** A new level's area unless changed: the default area (code 1), as a level created without one is stored in. */
const defaultArea = (areas: any[] | undefined): string => (areas ?? []).find((x) => x.code === DEFAULT_CODE)?.name ?? '';

/** A module's words and addresses: the elevator's levels of floors, entrance control's levels of gates. */
export interface LevelModule {
  /** The console API's prefix: elevator/levels, entrance/levels. */
  base: 'elevator' | 'entrance';
  /** Every point a level may hold (id, name, sn, controller). */
  points: string;
  /** "elevator level", "entrance-control level". */
  what: string;
  /** "floors", "gates". */
  point: string;
}

export const ELEVATOR_LEVELS: LevelModule = { base: 'elevator', points: 'elevator/floors/all', what: 'elevator level', point: 'floors' };
export const ENTRANCE_LEVELS: LevelModule = { base: 'entrance', points: 'entrance/gates', what: 'entrance-control level', point: 'gates' };

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

/**
 * CVSecurity's Elevator Level and Passage Level pages: levels made of points (floors, gates), one time segment and an area,
 * created, edited (points ticked per controller) and deleted, and their persons added or taken out by pin. Every change
 * goes through the same service as the REST API's eleLevel/psgLevel calls, in one transaction with the controllers'
 * commands (the rights and the time zone).
 */
export function ModuleLevels({ mayEdit, module: mod }: { mayEdit: boolean; module: LevelModule }) {
  const levels = useLoad(() => api<any[]>('GET', `${mod.base}/levels`));
  const points = useLoad(() => api<any[]>('GET', mod.points));
  const segments = useLoad(() => api<any[]>('GET', 'catalog/time-segments'));
  const areas = useLoad(() => api<any[]>('GET', 'catalog/areas'));
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
    const body = { name: d.name, timeSegName: d.timeSegName || undefined, areaName: d.areaName || undefined, pointIds: d.pointIds, version: d.version };
    const r = await a.run(() => (d.id ? api('PUT', `${mod.base}/levels/${encodeURIComponent(d.id)}`, body) : api('POST', `${mod.base}/levels`, body)));
    if (r === undefined) return;
    setDraft(null);
    changed(`${capital(mod.what)} ${d.name.trim()} saved; its controllers receive its ${mod.point}`);
  }

  function remove(l: any) {
    confirm.ask({
      title: `Delete ${mod.what}`,
      confirmLabel: `Delete ${l.name}`,
      danger: true,
      question: `Delete ${l.name}? Its ${persons(l.persons)} lose its ${mod.point} on the controllers unless another of their levels grants them.`,
      run: async () => {
        if ((await a.run(() => api('DELETE', `${mod.base}/levels/${encodeURIComponent(l.id)}`))) === undefined) return;
        if (membersOf === l.id) setMembersOf(null);
        changed(`${capital(mod.what)} ${l.name} deleted`);
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
      const r: any = await a.run(() => api('POST', `${mod.base}/levels/${encodeURIComponent(level.id)}/persons${add ? '' : '/remove'}`, { pins: list }));
      if (r === undefined) return;
      if (add) changed(r.persons ? `${persons(r.persons)} added to ${level.name}; its controllers receive them${r.already ? ` (${r.already} already members)` : ''}` : `No one added to ${level.name}: ${r.already} already members`);
      else changed(r.persons ? `${persons(r.persons)} removed from ${level.name}; the controllers are told to withdraw its ${mod.point}${r.notMembers ? ` (${r.notMembers} not members)` : ''}` : `No one removed from ${level.name}: ${r.notMembers} not members`);
      setPins({ ...pins, text: '' });
    };
    if (add) return void run();
    confirm.ask({ title: `Remove persons from ${mod.what}`, confirmLabel: `Remove from ${level.name}`, danger: true, question: `Remove ${list.join(', ')} from ${level.name}? They lose its ${mod.point} unless another of their levels grants them.`, run });
  }

  const byController = new Map<string, any[]>();
  for (const f of points.data ?? []) {
    const key = deviceLabel(f.controller, f.sn);
    byController.set(key, [...(byController.get(key) ?? []), f]);
  }
  return (
    <section aria-labelledby={`${mod.base}-level-h`}>
      <h2 id={`${mod.base}-level-h`}>{capital(mod.what)}s</h2>
      <Notice error={a.error ?? levels.error} ok={a.ok} />
      {levels.data && (
        <DataTable
          label={`${capital(mod.what)}s`}
          rows={levels.data}
          rowKey={(l: any) => l.id}
          empty={mayEdit ? `No ${mod.what} yet: create one below, tick its ${mod.point}, then add its persons.` : `No ${mod.what} yet.`}
          columns={[
            { head: 'Level', cell: (l: any) => l.name },
            { head: 'Time segment', cell: (l: any) => l.timeSegment },
            { head: capital(mod.point), cell: (l: any) => l.points.join(', ') || 'none' },
            { head: 'Area', cell: (l: any) => l.area ?? '' },
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
                  <button type="button" class="secondary" aria-label={`Edit ${l.name}`} onClick={() => setDraft({ id: l.id, version: l.version, was: l.name, name: l.name, timeSegName: l.timeSegment ?? '', areaName: l.area ?? '', pointIds: l.pointIds })}>
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
          New {mod.what}
        </button>
      )}
      {draft && (
        <form aria-label={draft.id ? `Edit ${mod.what} ${draft.was}` : `New ${mod.what}`} onSubmit={save} onInvalidCapture={a.invalid}>
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
            {/* CVSecurity's level forms name the level's area (as an access level's): the default area unless another is chosen. */}
            <Field label="Area">
              {/* Left alone on a new level, the default area shows (read when the areas arrive) and none is sent: the level is stored in it. */}
              <select name="areaName" value={draft.areaName || defaultArea(areas.data)} onChange={(e) => setDraft({ ...draft, areaName: e.currentTarget.value })}>
                {!hasDefault(areas.data) && !draft.areaName && <option value="">(default)</option>}
                {(areas.data ?? []).map((x) => (
                  <option key={x.code}>{x.name}</option>
                ))}
              </select>
            </Field>
          </div>
          {[...byController].map(([controller, list]) => (
            <fieldset key={controller}>
              <legend>
                {capital(mod.point)} of {controller}
              </legend>
              <div class="checks">
                <Ticks name="point" options={list.map((f) => ({ id: f.id, label: f.name }))} ticked={draft.pointIds} onChange={(pointIds) => setDraft({ ...draft, pointIds })} />
              </div>
            </fieldset>
          ))}
          {points.data?.length === 0 && <p>No {mod.point} yet: a controller reports them when it registers.</p>}
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
      {/* CVSecurity's Add Personnel / Delete Personnel on a level: many persons at once, by pin. */}
      {mayEdit && (levels.data?.length ?? 0) > 0 && (
        <form class="row" aria-label={`Persons of an ${mod.what}`} onSubmit={changePersons} onInvalidCapture={a.invalid}>
          <Field required label={capital(mod.what)}>
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
          <AddRemovePersons />
        </form>
      )}
      {mayEdit && (levels.data?.length ?? 0) > 0 && (
        <DepartmentToLevel label={`Add a department to an ${mod.what}`} levels={levels.data} path={(id) => `${mod.base}/levels/${encodeURIComponent(id)}`} receivers="its controllers" a={a} onDone={changed} />
      )}
      {members && <LevelMembers base={mod.base} level={members} onClose={() => setMembersOf(null)} />}
      {confirm.dialog}
    </section>
  );
}

/** The persons of one level, paged. */
function LevelMembers({ base, level, onClose }: { base: string; level: any; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const list = useLoad(() => api<any>('GET', `${base}/levels/${encodeURIComponent(level.id)}/persons?page=${page}&size=50`), [level.id, level.persons, page]);
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
