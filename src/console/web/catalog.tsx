import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { DepartmentToLevel, joinedText, persons } from './level-department';
import type { Me } from './main';
import { can, DEFAULT_CODE, hasDefault, Confirm, Field, Notice, Pager, queryValues, useAction, useLoad, writeQuery, closeOnEscape, AddRemovePersons } from './ui';

type TabKey = 'levels' | 'departments' | 'areas' | 'time-segments' | 'holidays';
/** `empty`: the line a tab's table shows while it lists nothing, as the other pages' lists do. */
const TABS: Array<{ key: TabKey; label: string; cols: Array<[string, string]>; deleteBy?: 'code' | 'id'; empty: string }> = [
  { key: 'levels', label: 'Access levels', cols: [['name', 'Name'], ['timeSegment', 'Time segment'], ['area', 'Area'], ['doors', 'Doors'], ['persons', 'Persons']], deleteBy: 'id', empty: 'No access levels yet.' },
  { key: 'departments', label: 'Departments', cols: [['code', 'Code'], ['name', 'Name'], ['parentCode', 'Parent']], deleteBy: 'code', empty: 'No departments yet.' },
  { key: 'areas', label: 'Areas', cols: [['code', 'Code'], ['name', 'Name'], ['parentCode', 'Parent']], deleteBy: 'code', empty: 'No areas yet.' },
  { key: 'time-segments', label: 'Time segments', cols: [['name', 'Name'], ['tzId', 'Device id'], ['hours', 'Hours'], ['remark', 'Remark']], deleteBy: 'id', empty: 'No time segments yet.' },
  { key: 'holidays', label: 'Holidays', cols: [['name', 'Name'], ['startDate', 'From'], ['endDate', 'Until'], ['holidayType', 'Type'], ['isLoopByYear', 'Every year']], deleteBy: 'id', empty: 'No holidays yet.' },
];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'hol1', 'hol2', 'hol3'];

function cell(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v === null || v === undefined ? '' : String(v);
}

function hoursOf(schedule: Record<string, string[][]> | undefined): string {
  if (!schedule) return '';
  return DAYS.filter((d) => schedule[d]?.length)
    .map((d) => `${d} ${schedule[d].map(([a, b]) => `${a}–${b}`).join(' ')}`)
    .join(', ');
}

type Action = ReturnType<typeof useAction>;

/**
 * The create form of each list, posting to the same services (and rules) as the REST API. Its outcome goes to the
 * page's one message line (`a`): a form's old error must not stay beside a later delete's or edit's message.
 */
function CreateForm({ tab, a, onDone, kept }: { tab: TabKey; a: Action; onDone: (message: string, keep?: Record<string, string>) => void; kept: Record<string, string> }) {
  const [f, setF] = useState<Record<string, any>>({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00', holidayType: '1', ...kept });
  const segments = useLoad(() => (tab === 'levels' ? api('GET', 'catalog/time-segments') : Promise.resolve([])), [tab]);
  const areas = useLoad(() => (tab === 'levels' || tab === 'areas' ? api('GET', 'catalog/areas') : Promise.resolve([])), [tab]);
  const levels = useLoad(() => (tab === 'levels' ? api('GET', 'catalog/levels') : Promise.resolve([])), [tab]);
  const doors = useLoad(() => (tab === 'levels' ? api('GET', 'doors/all') : Promise.resolve([])), [tab]);
  const [removing, setRemoving] = useState<{ levelId: string; level: string; pins: string[] } | null>(null);
  const text = (k: string, label: string, required = true, type: 'text' | 'time' | 'date' = 'text') => (
    <Field required={required} label={label}>
      <input name={k} type={type as 'text'} value={f[k] ?? ''} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} />
    </Field>
  );
  /** A required choice among `options` (value, label), under `label`; the form's state key is `k`. */
  const choose = (k: string, label: string, options: Array<{ value: string; label: string }>) => (
    <Field required label={label}>
      <select name={k} value={f[k] ?? ''} onChange={(e) => setF({ ...f, [k]: e.currentTarget.value })}>
        <option value="" disabled>
          choose
        </option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
  async function submit(e: Event, path: string, body: unknown, ok: string | ((answer: any) => string), keep?: Record<string, string>) {
    e.preventDefault();
    // The page remounts this form after a success (fresh lists in its selects) and shows the message itself;
    // `keep` is what the remounted form starts with.
    const r = await a.run(() => api('POST', path, body));
    if (r !== undefined) onDone(typeof ok === 'string' ? ok : ok(r), keep);
  }
  // A field the browser refuses (nothing chosen, a name left empty) sends nothing: the message line says what is
  // missing, in place of the last action's message.
  const invalid = a.invalid;
  if (tab === 'levels') {
    return (
      <>
        {/* A level just created is what the operator adds doors to next: the door form starts with it chosen. */}
        <form class="row" aria-label="New access level" onInvalidCapture={invalid} onSubmit={(e) => submit(e, 'catalog/levels', { name: f.name, timeSegName: f.timeSegName || undefined, areaName: f.areaName || undefined }, `Level ${f.name} created`, { levelName: f.name })}>
          {text('name', 'Level name')}
          <Field label="Time segment">
            <select value={f.timeSegName ?? ''} onChange={(e) => setF({ ...f, timeSegName: e.currentTarget.value })}>
              <option value="">24-Hour Accessible</option>
              {/* The first option is the seeded segment already (a level without one is given it): listed once. */}
              {(segments.data ?? [])
                .filter((s: any) => s.name !== '24-Hour Accessible')
                .map((s: any) => (
                  <option key={s.id}>{s.name}</option>
                ))}
            </select>
          </Field>
          <Field label="Area">
            {/* The default area is one of the list: a separate "(default)" entry named it twice. A new level starts in it
                (left so, the level is created in it: accLevel/add's default). */}
            <select value={f.areaName || (areas.data ?? []).find((x: any) => x.code === DEFAULT_CODE)?.name || ''} onChange={(e) => setF({ ...f, areaName: e.currentTarget.value })}>
              {!hasDefault(areas.data) && <option value="">(default)</option>}
              {(areas.data ?? []).map((x: any) => (
                <option key={x.code}>{x.name}</option>
              ))}
            </select>
          </Field>
          <button type="submit">Create level</button>
        </form>
        <form class="row" aria-label="Add a door to a level" onInvalidCapture={invalid} onSubmit={(e) => submit(e, 'catalog/levels/doors', { levelName: f.levelName, doorName: f.doorName }, (r) => (r?.added === false ? `${f.doorName} is already in ${f.levelName}` : `${f.doorName} added to ${f.levelName}`), { levelName: f.levelName })}>
          {choose('levelName', 'Level', (levels.data ?? []).map((l: any) => ({ value: l.name, label: l.name })))}
          {choose('doorName', 'Door', (doors.data ?? []).map((d: any) => ({ value: d.name, label: d.name })))}
          <button type="submit">Add door</button>
        </form>
        {/* CVSecurity's Add Personnel / Delete Personnel on an access level: many persons at once, by pin. */}
        <form
          class="row"
          aria-label="Persons of a level"
          onInvalidCapture={invalid}
          onSubmit={(e) => {
            const remove = (e.submitter as HTMLButtonElement | null)?.value === 'remove';
            const level = (levels.data ?? []).find((l: any) => l.id === f.personLevelId)?.name ?? '';
            const pins = String(f.pins ?? '').split(/[\s,;]+/).filter(Boolean);
            e.preventDefault();
            // Taking persons out withdraws doors on the panels: asked first, as CVSecurity's Delete Personnel does.
            if (remove) {
              setRemoving({ levelId: f.personLevelId, level, pins });
              return;
            }
            void a
              .run(() => api('POST', `catalog/levels/${encodeURIComponent(f.personLevelId)}/persons`, { pins: f.pins }))
              .then((r: any) => r !== undefined && onDone(joinedText(r.persons, r.already, level)));
          }}
        >
          {choose('personLevelId', 'Level of the persons', (levels.data ?? []).map((l: any) => ({ value: l.id, label: l.name })))}
          {text('pins', 'Person pins (comma-separated)')}
          <AddRemovePersons />
        </form>
        {/* CVSecurity's "Add personnel by department": the department's persons join the level at once. */}
        <DepartmentToLevel label="Add a department to a level" levels={levels.data as any[] | undefined} path={(id) => `catalog/levels/${encodeURIComponent(id)}`} a={a} onDone={onDone} />
        <Confirm
          open={!!removing}
          title="Remove persons from level"
          confirmLabel={removing ? `Remove from ${removing.level}` : ''}
          danger
          onConfirm={() => {
            const r = removing!;
            setRemoving(null);
            void a
              .run(() => api('POST', `catalog/levels/${encodeURIComponent(r.levelId)}/persons/remove`, { pins: r.pins }))
              .then(
                (x: any) =>
                  x !== undefined &&
                  onDone(
                    x.persons > 0
                      ? `${persons(x.persons)} removed from ${r.level}; the panels are told to withdraw the level's doors${x.notMembers ? ` (${x.notMembers} not members)` : ''}`
                      : `No one removed from ${r.level}: ${x.notMembers} not members`,
                  ),
              );
          }}
          onCancel={() => setRemoving(null)}
        >
          {removing && (
            <p>
              Remove {removing.pins.join(', ')} from {removing.level}? They lose the level's doors on its panels unless another of their levels grants them.
            </p>
          )}
        </Confirm>
      </>
    );
  }
  const forms: Record<Exclude<TabKey, 'levels'>, () => any> = {
    departments: () => (
      <form class="row" aria-label="New department" onInvalidCapture={invalid} onSubmit={(e) => submit(e, 'catalog/departments', { code: f.code, name: f.name, parentCode: f.parentCode || undefined }, `Department ${f.name} created`)}>
        {text('code', 'Code')}
        {text('name', 'Name')}
        {text('parentCode', 'Parent code', false)}
        <button type="submit">Create department</button>
      </form>
    ),
    areas: () => (
      <form class="row" aria-label="New area" onInvalidCapture={invalid} onSubmit={(e) => submit(e, 'catalog/areas', { code: f.code, name: f.name, parentCode: f.parentCode || undefined }, `Area ${f.name} created`)}>
        {text('code', 'Code')}
        {text('name', 'Name')}
        {text('parentCode', 'Parent code', false)}
        <button type="submit">Create area</button>
      </form>
    ),
    'time-segments': () => (
      <form
        aria-label="New time segment"
        onInvalidCapture={invalid}
        onSubmit={(e) => submit(e, 'catalog/time-segments', { name: f.name, schedule: scheduleOf(f) }, `Time segment ${f.name} created`)}
      >
        <div class="row">
          {text('name', 'Name')}
          {text('from', 'From', true, 'time')}
          {text('to', 'Until', true, 'time')}
        </div>
        <div class="row">
          {text('from2', 'Second range from', false, 'time')}
          {text('to2', 'Second range until', false, 'time')}
          {text('from3', 'Third range from', false, 'time')}
          {text('to3', 'Third range until', false, 'time')}
        </div>
        <fieldset>
          <legend>Days</legend>
          <div class="checks">
            {DAYS.map((d) => (
              <label key={d}>
                <input type="checkbox" checked={f.days.includes(d)} onChange={(e) => setF({ ...f, days: e.currentTarget.checked ? [...f.days, d] : f.days.filter((x: string) => x !== d) })} />
                {d}
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit">Create time segment</button>
      </form>
    ),
    holidays: () => (
      <form class="row" aria-label="New holiday" onInvalidCapture={invalid} onSubmit={(e) => submit(e, 'catalog/holidays', { name: f.name, startDate: f.startDate, endDate: f.endDate, holidayType: Number(f.holidayType), isLoopByYear: !!f.isLoopByYear }, `Holiday ${f.name} created`)}>
        {text('name', 'Name')}
        {text('startDate', 'From', true, 'date')}
        {text('endDate', 'Until', true, 'date')}
        <Field label="Type">
          <select value={f.holidayType} onChange={(e) => setF({ ...f, holidayType: e.currentTarget.value })}>
            <option value="1">1</option>
            <option value="2">2</option>
            <option value="3">3</option>
          </select>
        </Field>
        <label>
          <input type="checkbox" checked={!!f.isLoopByYear} onChange={(e) => setF({ ...f, isLoopByYear: e.currentTarget.checked })} />
          Every year
        </label>
        <button type="submit">Create holiday</button>
      </form>
    ),
  };
  return forms[tab]();
}

/** The form fields of a day's time ranges: from/to, from2/to2, from3/to3. */
const RANGE_KEYS = ['from', 'to', 'from2', 'to2', 'from3', 'to3'];

/** Up to three ranges a day, as a panel's timezone table holds them (and CVSecurity's time segment editor shows). */
function rangeFields(ranges: string[][]): Record<string, string> {
  const out: Record<string, string> = {};
  ranges.slice(0, 3).forEach(([from, to], i) => {
    out[RANGE_KEYS[2 * i]] = from;
    out[RANGE_KEYS[2 * i + 1]] = to;
  });
  return out;
}

/**
 * The schedule the form stands for: the same ranges on every ticked day. A second or third range counts when
 * either end is filled (one end alone is sent as it is, so that the server's -400 says what is missing).
 */
function scheduleOf(f: Record<string, any>, own?: (day: string) => string[][] | undefined): Record<string, string[][]> {
  const ranges = [0, 1, 2]
    .map((i) => [f[RANGE_KEYS[2 * i]] ?? '', f[RANGE_KEYS[2 * i + 1]] ?? ''])
    .filter(([from, to], i) => i === 0 || from || to);
  return Object.fromEntries(DAYS.map((d) => [d, f.days.includes(d) ? (own?.(d) ?? ranges) : []]));
}

const sameRanges = (a: string[][], b: string[][]) => JSON.stringify(a) === JSON.stringify(b);
const rangesText = (r: string[][]) => r.map(([from, to]) => `${from}-${to}`).join(', ');

/** The edit form of one row: a PUT through the same service method as the REST API's update. */
function EditForm({ tab, row, a, onDone, onCancel }: { tab: TabKey; row: any; a: Action; onDone: (message: string) => void; onCancel: () => void }) {
  // The ranges of the first day that has any (the form edits one set of ranges for the ticked days).
  const ranges: string[][] = DAYS.map((d) => row.schedule?.[d]).find((x) => x?.length) ?? [['08:00', '18:00']];
  const [f, setF] = useState<Record<string, any>>({
    ...row,
    parentCode: row.parentCode ?? '',
    holidayType: String(row.holidayType ?? '1'),
    days: DAYS.filter((d) => row.schedule?.[d]?.length),
    ...rangeFields(ranges),
    hoursChanged: false,
    daysChanged: false,
  });
  // Days whose hours differ from those shown: the form edits the shown ones only, and says which days keep their own.
  const otherHours = DAYS.filter((d) => row.schedule?.[d]?.length && !sameRanges(row.schedule[d], ranges));
  // A level's time segment and area change here as in accLevel/update (a new time segment re-sends its members' rights).
  const segments = useLoad(() => (tab === 'levels' ? api('GET', 'catalog/time-segments') : Promise.resolve([])), [tab]);
  const areas = useLoad(() => (tab === 'levels' ? api('GET', 'catalog/areas') : Promise.resolve([])), [tab]);
  const key = row[TABS.find((t) => t.key === tab)!.deleteBy!];
  const text = (k: string, label: string, required = true, type: 'text' | 'time' | 'date' = 'text') => (
    <Field required={required} label={label}>
      <input name={k} type={type as 'text'} value={f[k] ?? ''} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value, hoursChanged: f.hoursChanged || RANGE_KEYS.includes(k) })} />
    </Field>
  );
  const bodies: Record<TabKey, () => unknown> = {
    levels: () => ({ name: f.name, timeSegName: f.timeSegment || undefined, areaName: f.area || undefined }),
    // "" makes it a top-level department (left out, department/add keeps the parent it has: an emptied field would not clear it).
    departments: () => ({ code: row.code, name: f.name, parentCode: f.parentCode.trim() }),
    areas: () => ({ name: f.name, parentCode: f.parentCode }),
    // Only hours the operator touched are sent: a schedule with several ranges a day is kept otherwise.
    // A day ticked before keeps its own hours when they differ from those shown (Saturday morning beside weekdays),
    // or when the hours were not touched; the hours shown go to the days that had them and to newly ticked days.
    'time-segments': () => ({
      name: f.name,
      ...(f.hoursChanged || f.daysChanged ? { schedule: scheduleOf(f, (d) => (row.schedule?.[d]?.length && (!f.hoursChanged || !sameRanges(row.schedule[d], ranges)) ? row.schedule[d] : undefined)) } : {}),
    }),
    holidays: () => ({ name: f.name, startDate: f.startDate, endDate: f.endDate, holidayType: Number(f.holidayType), isLoopByYear: !!f.isLoopByYear }),
  };
  async function submit(e: Event) {
    e.preventDefault();
    // The row as the form was filled from it: a save over a change made since (another operator, the REST API) is
    // refused rather than putting back, unseen, what that change did.
    const body = { ...(bodies[tab]() as object), version: row.version ?? undefined };
    if ((await a.run(() => api('PUT', `catalog/${tab}/${encodeURIComponent(key)}`, body))) !== undefined) onDone(`${f.name} saved`);
  }
  return (
    <form aria-label={`Edit ${row.name}`} onInvalidCapture={a.invalid} onSubmit={submit} onKeyDown={closeOnEscape(onCancel)}>
      <div class="row">
        {text('name', 'Name')}
        {(tab === 'departments' || tab === 'areas') && text('parentCode', 'Parent code', false)}
        {tab === 'levels' && (
          <Field label="Time segment">
            <select name="timeSegName" value={f.timeSegment ?? ''} onChange={(e) => setF({ ...f, timeSegment: e.currentTarget.value })}>
              {(segments.data ?? []).map((s: any) => (
                <option key={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
        )}
        {tab === 'levels' && (
          <Field label="Area">
            <select name="areaName" value={f.area ?? ''} onChange={(e) => setF({ ...f, area: e.currentTarget.value })}>
              {(areas.data ?? []).map((x: any) => (
                <option key={x.code}>{x.name}</option>
              ))}
            </select>
          </Field>
        )}
        {tab === 'time-segments' && text('from', 'From', true, 'time')}
        {tab === 'time-segments' && text('to', 'Until', true, 'time')}
        {tab === 'time-segments' && text('from2', 'Second range from', false, 'time')}
        {tab === 'time-segments' && text('to2', 'Second range until', false, 'time')}
        {tab === 'time-segments' && text('from3', 'Third range from', false, 'time')}
        {tab === 'time-segments' && text('to3', 'Third range until', false, 'time')}
        {tab === 'holidays' && text('startDate', 'From', true, 'date')}
        {tab === 'holidays' && text('endDate', 'Until', true, 'date')}
        {tab === 'holidays' && (
          <Field label="Type">
            <select value={f.holidayType} onChange={(e) => setF({ ...f, holidayType: e.currentTarget.value })}>
              <option value="1">1</option>
              <option value="2">2</option>
              <option value="3">3</option>
            </select>
          </Field>
        )}
        {tab === 'holidays' && (
          <label>
            <input type="checkbox" checked={!!f.isLoopByYear} onChange={(e) => setF({ ...f, isLoopByYear: e.currentTarget.checked })} />
            Every year
          </label>
        )}
      </div>
      {tab === 'time-segments' && (
        <fieldset>
          <legend>Days</legend>
          <div class="checks">
            {DAYS.map((d) => (
              <label key={d}>
                <input type="checkbox" checked={f.days.includes(d)} onChange={(e) => setF({ ...f, daysChanged: true, days: e.currentTarget.checked ? [...f.days, d] : f.days.filter((x: string) => x !== d) })} />
                {d}
              </label>
            ))}
          </div>
          {otherHours.length > 0 && (
            <small>
              The hours above are {DAYS.find((d) => row.schedule?.[d]?.length)}'s; {otherHours.map((d) => `${d} (${rangesText(row.schedule[d])})`).join(', ')} keep{otherHours.length === 1 ? 's its' : ' their'} own hours.
            </small>
          )}
        </fieldset>
      )}
      <div class="actions">
        <button type="submit">Save</button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The members of one level, paged, as CVSecurity's access level page lists them beside the level: tick persons and
 * remove them after a confirmation (the level's panels withdraw its doors from them).
 */
function LevelMembers({ level, a, mayEdit, onChanged, onClose }: { level: any; a: Action; mayEdit: boolean; onChanged: (message: string) => void; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const list = useLoad(() => api('GET', `catalog/levels/${encodeURIComponent(level.id)}/persons?page=${page}&size=50`), [level.id, page]);
  const [ticked, setTicked] = useState<string[]>([]);
  const [asking, setAsking] = useState(false);
  async function remove() {
    setAsking(false);
    const what = `${ticked.length} ${ticked.length === 1 ? 'person' : 'persons'}`;
    if ((await a.run(() => api('POST', `catalog/levels/${encodeURIComponent(level.id)}/persons/remove`, { pins: ticked }))) !== undefined) {
      setTicked([]);
      list.reload();
      onChanged(`${what} removed from ${level.name}; the panels are told to withdraw the level's doors`);
    }
  }
  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">Persons of {level.name}</h2>
      {list.error && <Notice error={list.error} />}
      {list.data && (
        <>
          <div class="table-wrap">
            <table aria-label={`Persons of ${level.name}`}>
              <thead>
                <tr>
                  {mayEdit && <th scope="col">Select</th>}
                  <th scope="col">Pin</th>
                  <th scope="col">Name</th>
                  <th scope="col">Department</th>
                </tr>
              </thead>
              <tbody>
                {list.data.rows.map((p: any) => (
                  <tr key={p.pin}>
                    {mayEdit && (
                      <td>
                        <input type="checkbox" aria-label={`Select ${p.pin}`} checked={ticked.includes(p.pin)} onChange={(e) => setTicked(e.currentTarget.checked ? [...ticked, p.pin] : ticked.filter((x) => x !== p.pin))} />
                      </td>
                    )}
                    <td>{p.pin}</td>
                    <td>
                      {[p.name, p.lastName].filter(Boolean).join(' ')} {p.resigned && '(resigned)'}
                    </td>
                    <td>{p.deptName}</td>
                  </tr>
                ))}
                {list.data.rows.length === 0 && (
                  <tr>
                    <td colSpan={4}>Nobody holds this level.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
        </>
      )}
      <div class="actions">
        {mayEdit && (
          <button type="button" class="secondary" disabled={ticked.length === 0} onClick={() => setAsking(true)}>
            Remove selected
          </button>
        )}
        <button type="button" class="secondary outline" onClick={onClose}>
          Close
        </button>
      </div>
      <Confirm open={asking} title="Remove persons from level" confirmLabel={`Remove from ${level.name}`} danger onConfirm={remove} onCancel={() => setAsking(false)}>
        <p>
          Remove {ticked.join(', ')} from {level.name}? They lose the level's doors on its panels unless another of their levels grants them.
        </p>
      </Confirm>
    </section>
  );
}

/** Access levels, departments, areas, time segments and holidays: lists, creation, editing, deletion. */
export function CatalogPage({ me }: { me: Me }) {
  return <ReferenceLists me={me} />;
}

/**
 * CVSecurity's Personnel > Department, on the Persons page where an operator looks for it: the Departments list of
 * the Access levels page (the same creation, editing and deletion), shown alone. `onChanged` follows each change
 * (the Persons page's department filter reads its choices again).
 */
export function DepartmentLists({ me, onChanged }: { me: Me; onChanged: () => void }) {
  return <ReferenceLists me={me} only="departments" onChanged={onChanged} />;
}

/** The reference lists, as tabs; `only` shows one of them without tabs, and leaves the address to the page showing it. */
function ReferenceLists({ me, only, onChanged }: { me: Me; only?: TabKey; onChanged?: () => void }) {
  // The list shown is in the address (?tab=departments): a reload stays on it.
  const [tab, setTab] = useState<TabKey>(() => {
    if (only) return only;
    // `timeSegments` and `time_segments` name it as well: case and separators aside, as a hand-typed link spells it.
    const plain = (key: string) => key.replace(/[-_\s]/g, '').toLowerCase();
    const asked = plain(queryValues({ tab: '' }).tab);
    return TABS.find((t) => plain(t.key) === asked)?.key ?? 'levels';
  });
  useEffect(() => {
    if (!only) writeQuery({ tab: tab === 'levels' ? undefined : tab });
  }, [tab]);
  const current = TABS.find((t) => t.key === tab)!;
  // The rows say which tab they are of: until the new tab's rows arrive, the previous tab's must not be drawn with
  // this tab's columns (levels' doors of a department row crashed the page).
  const loaded = useLoad(() => api<any[]>('GET', `catalog/${tab}`).then((rows) => ({ tab, rows })), [tab]);
  const list = { ...loaded, data: loaded.data?.tab === tab ? loaded.data.rows : undefined };
  const [del, setDel] = useState<any>(null);
  const [edit, setEdit] = useState<any>(null);
  const [drop, setDrop] = useState<{ level: any; door: string; doorId: string } | null>(null);
  // The level whose persons are listed (CVSecurity lists a level's personnel beside the levels).
  const [members, setMembers] = useState<any>(null);
  const [version, setVersion] = useState(0);
  const [kept, setKept] = useState<Record<string, string>>({});
  const a = useAction();
  const mayEdit = can(me.role, 'operator');
  const changed = () => (list.reload(), onChanged?.());
  async function remove() {
    const row = del;
    setDel(null);
    await a.run(() => api('DELETE', `catalog/${tab}/${encodeURIComponent(row[current.deleteBy!])}`), `${row.name} deleted`);
    changed();
  }
  async function removeDoor() {
    const d = drop!;
    setDrop(null);
    await a.run(() => api('DELETE', `catalog/levels/${encodeURIComponent(d.level.id)}/doors/${encodeURIComponent(d.doorId)}`), `${d.door} removed from ${d.level.name}`);
    list.reload();
  }
  return (
    <>
      {!only && (
      <div role="tablist" aria-label="Reference lists" class="actions">
        {TABS.map((t) => (
          <button key={t.key} type="button" role="tab" id={`tab-${t.key}`} aria-selected={t.key === tab} aria-controls="catalog-panel" class={t.key === tab ? '' : 'secondary outline'} onClick={() => (setTab(t.key), setEdit(null), setMembers(null), a.setOk(undefined), a.setError(undefined))}>
            {t.label}
          </button>
        ))}
      </div>
      )}
      <div role={only ? undefined : 'tabpanel'} id="catalog-panel" aria-labelledby={only ? undefined : `tab-${tab}`}>
        {mayEdit && (
          <CreateForm
            key={`${tab}-${version}`}
            tab={tab}
            a={a}
            kept={kept}
            onDone={(message, keep) => {
              // A level's doors are added one after the other (CVSecurity's Add Door picks several): the level
              // stays chosen for the next door.
              setKept(keep ?? {});
              a.setOk(message);
              setVersion((v) => v + 1);
              changed();
            }}
          />
        )}
        {mayEdit && edit && (
          <EditForm
            key={`${tab}-${edit[current.deleteBy!]}`}
            tab={tab}
            row={edit}
            a={a}
            onCancel={() => setEdit(null)}
            onDone={(message) => {
              a.setOk(message);
              setEdit(null);
              changed();
            }}
          />
        )}
        <Notice error={a.error || list.error} ok={a.ok} />
        {tab === 'levels' && members && (
          <LevelMembers
            key={members.id}
            level={members}
            a={a}
            mayEdit={mayEdit}
            onClose={() => setMembers(null)}
            onChanged={(message) => {
              a.setOk(message);
              setVersion((v) => v + 1);
              list.reload();
            }}
          />
        )}
        <table aria-label={current.label}>
          <thead>
            <tr>
              {current.cols.map(([, label]) => (
                <th scope="col" key={label}>
                  {label}
                </th>
              ))}
              {mayEdit && current.deleteBy && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((row: any, i: number) => (
              <tr key={row.id ?? row.code ?? i}>
                {current.cols.map(([k]) => (
                  <td key={k}>
                    {k === 'hours' ? (
                      hoursOf(row.schedule)
                    ) : tab === 'levels' && k === 'doors' && mayEdit ? (
                      ((row.doors ?? []) as string[]).map((door, j) => (
                        <span key={door}>
                          {door}{' '}
                          <button type="button" class="small secondary outline" aria-label={`Remove ${door} from ${row.name}`} onClick={() => setDrop({ level: row, door, doorId: row.doorIds[j] })}>
                            ×
                          </button>{' '}
                        </span>
                      ))
                    ) : tab === 'levels' && k === 'persons' ? (
                      <button type="button" class="small secondary outline" aria-label={`Persons of ${row.name}: ${row.persons}`} onClick={() => setMembers(row)}>
                        {row.persons}
                      </button>
                    ) : (
                      cell(row[k])
                    )}
                  </td>
                ))}
                {mayEdit && current.deleteBy && (
                  <td>
                    <button type="button" class="small secondary outline" aria-label={`Edit ${row.name}`} onClick={() => setEdit(row)}>
                      Edit
                    </button>{' '}
                    <button type="button" class="small secondary outline" aria-label={`Delete ${row.name}`} onClick={() => setDel(row)}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
            {list.data?.length === 0 && (
              <tr>
                <td colSpan={current.cols.length + (mayEdit && current.deleteBy ? 1 : 0)}>{current.empty}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Confirm open={!!del} title="Delete" confirmLabel={`Delete ${del?.name ?? ''}`} danger onConfirm={remove} onCancel={() => setDel(null)}>
        <p>{tab === 'levels' ? `Delete ${del?.name ?? ''}? Its members lose the level's doors on the devices.` : `Delete ${del?.name ?? ''}? The gateway refuses when something still uses it.`}</p>
      </Confirm>
      <Confirm open={!!drop} title="Remove door" confirmLabel={`Remove ${drop?.door ?? ''}`} danger onConfirm={removeDoor} onCancel={() => setDrop(null)}>
        <p>
          Remove {drop?.door} from {drop?.level.name}? Its members lose this door unless another of their levels grants it.
        </p>
      </Confirm>
    </>
  );
}
