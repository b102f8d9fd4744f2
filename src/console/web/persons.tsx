import { useState } from 'preact/hooks';
import { api, fromLocalInput, query, toLocalInput } from './api';
import type { Me } from './main';
import { Badge, can, Confirm, Field, Notice, Pager, useAction, useLoad } from './ui';

const EMPTY = { pin: '', name: '', lastName: '', deptCode: '', cardNo: '', supplyCards: '', accLevelIds: [] as string[], accStartTime: '', accEndTime: '', isDisabled: false, personPhoto: '' };
type Form = typeof EMPTY;

/** A photo file as the base64 the REST API takes (no data: prefix). */
function readPhoto(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error('The photo could not be read'));
    r.readAsDataURL(file);
  });
}

function PersonEditor({ initial, isNew, onDone, readOnly }: { initial: Form; isNew: boolean; onDone: (saved?: string) => void; readOnly: boolean }) {
  const [f, setF] = useState<Form>(initial);
  const levels = useLoad(() => api('GET', 'catalog/levels'));
  const depts = useLoad(() => api('GET', 'catalog/departments'));
  const a = useAction();
  const set = (k: keyof Form) => (e: any) => setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  async function save(e: Event) {
    e.preventDefault();
    const body = {
      pin: f.pin.trim(),
      name: f.name,
      lastName: f.lastName,
      deptCode: f.deptCode || undefined,
      cardNo: f.cardNo,
      supplyCards: f.supplyCards,
      accLevelIds: f.accLevelIds.join(','),
      // "" clears a validity the operator emptied (left out, the stored one would stay while "Saved" showed)
      accStartTime: fromLocalInput(f.accStartTime) ?? '',
      accEndTime: fromLocalInput(f.accEndTime) ?? '',
      isDisabled: f.isDisabled,
      personPhoto: f.personPhoto || undefined,
    };
    const r = await a.run(() => api('POST', 'persons', body), `Saved ${body.pin}`);
    // The editor closes: the page shows the confirmation (it would vanish with the editor's own status line).
    if (r !== undefined) onDone(`Saved ${body.pin}`);
  }
  async function photo(e: any) {
    const file: File | undefined = e.currentTarget.files?.[0];
    if (file) setF({ ...f, personPhoto: await readPhoto(file) });
  }
  return (
    <form onSubmit={save} aria-label={isNew ? 'New person' : `Edit person ${f.pin}`}>
      <fieldset disabled={readOnly}>
        <div class="row">
          <Field label="Pin">
            <input name="pin" required maxLength={64} value={f.pin} disabled={!isNew} onInput={set('pin')} />
          </Field>
          <Field label="First name">
            <input name="name" maxLength={100} value={f.name} onInput={set('name')} />
          </Field>
          <Field label="Last name">
            <input name="lastName" maxLength={100} value={f.lastName} onInput={set('lastName')} />
          </Field>
          <Field label="Department">
            <select name="deptCode" value={f.deptCode} onChange={set('deptCode')}>
              <option value="">(default)</option>
              {(depts.data ?? []).map((d: any) => (
                <option key={d.code} value={d.code}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div class="row">
          <Field label="Card number">
            <input name="cardNo" maxLength={64} value={f.cardNo} onInput={set('cardNo')} />
          </Field>
          <Field label="More cards" hint="comma-separated">
            <input name="supplyCards" value={f.supplyCards} onInput={set('supplyCards')} />
          </Field>
          <Field label="Valid from">
            <input name="accStartTime" type="datetime-local" value={f.accStartTime} onInput={set('accStartTime')} />
          </Field>
          <Field label="Valid until">
            <input name="accEndTime" type="datetime-local" value={f.accEndTime} onInput={set('accEndTime')} />
          </Field>
        </div>
        <fieldset>
          <legend>Access levels</legend>
          <div class="checks">
            {(levels.data ?? []).map((l: any) => (
              <label key={l.id}>
                <input
                  type="checkbox"
                  name="level"
                  value={l.id}
                  checked={f.accLevelIds.includes(l.id)}
                  onChange={(e) => setF({ ...f, accLevelIds: e.currentTarget.checked ? [...f.accLevelIds, l.id] : f.accLevelIds.filter((x) => x !== l.id) })}
                />
                {l.name}
              </label>
            ))}
            {levels.data?.length === 0 && <small>No access levels yet.</small>}
          </div>
        </fieldset>
        <div class="row">
          <Field label="Photo (JPEG or PNG)">
            <input name="photo" type="file" accept="image/jpeg,image/png" onChange={photo} />
          </Field>
          <label>
            <input type="checkbox" role="switch" name="isDisabled" checked={f.isDisabled} onChange={set('isDisabled')} />
            Disabled
          </label>
        </div>
        <Notice error={a.error} ok={a.ok} />
        {!readOnly && (
          <div class="row">
            <button type="submit" aria-busy={a.busy} disabled={a.busy}>
              Save person
            </button>
            <button type="button" class="secondary" onClick={() => onDone()}>
              Close
            </button>
          </div>
        )}
      </fieldset>
    </form>
  );
}

function PersonDetail({ pin, me, onClose }: { pin: string; me: Me; onClose: (saved?: string) => void }) {
  const { data, error } = useLoad(() => api('GET', `persons/${encodeURIComponent(pin)}`), [pin]);
  if (error) return <Notice error={error} />;
  if (!data) return <p aria-busy="true">Loading…</p>;
  const p = data.person;
  const initial: Form = {
    pin: p.pin,
    name: p.name,
    lastName: p.lastName,
    deptCode: p.deptCode,
    cardNo: p.cardNo,
    supplyCards: p.supplyCards,
    accLevelIds: p.accLevelIds ? p.accLevelIds.split(',') : [],
    accStartTime: toLocalInput(p.accStartTime),
    accEndTime: toLocalInput(p.accEndTime),
    isDisabled: p.isDisabled,
    personPhoto: '',
  };
  return (
    <section aria-labelledby="detail-h">
      <h2 id="detail-h">
        {p.name} {p.lastName} ({p.pin})
      </h2>
      {p.personPhoto && <img src={`data:image/jpeg;base64,${p.personPhoto}`} alt={`Photo of ${p.name}`} width={96} />}
      <PersonEditor initial={initial} isNew={false} onDone={onClose} readOnly={!can(me.role, 'operator')} />
      <h2>Panels</h2>
      <table aria-label="Panels holding this person">
        <thead>
          <tr>
            <th scope="col">Panel</th>
            <th scope="col">State</th>
            <th scope="col">Doors (time zone)</th>
            <th scope="col">Commands waiting / done / failed</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {data.devices.map((d: any) => (
            <tr key={d.deviceSn}>
              <td>
                {d.deviceAlias} ({d.deviceSn})
              </td>
              <td>
                <Badge tone={d.state === 'synced' ? 'ok' : d.state === 'failed' ? 'bad' : 'warn'}>{d.state === 'synced' ? 'holds them' : d.state === 'pending' ? 'not yet' : 'failed'}</Badge>
              </td>
              <td>{d.rights.map((r: any) => `doors ${r.authorizeDoorId} (tz ${r.timezoneId})`).join(', ')}</td>
              <td>
                {d.pendingCommands} / {d.doneCommands} / {d.failedCommands}
              </td>
              <td>{d.lastError}</td>
            </tr>
          ))}
          {data.devices.length === 0 && (
            <tr>
              <td colSpan={5}>No panel should hold this person (no access level with doors).</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

export function PersonsPage({ me }: { me: Me }) {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | 'new' | null>(null);
  const [del, setDel] = useState<string | null>(null);
  const [saved, setSaved] = useState<string>();
  const closed = (msg?: string) => (setOpen(null), setSaved(msg), list.reload());
  const list = useLoad(() => api('GET', `persons${query({ q: search, page, size: 50 })}`), [search, page]);
  const a = useAction();
  const mayEdit = can(me.role, 'operator');
  async function remove() {
    const pin = del!;
    setDel(null);
    await a.run(() => api('DELETE', `persons/${encodeURIComponent(pin)}`), `Deleted ${pin}`);
    list.reload();
  }
  return (
    <>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setSearch(q);
        }}
      >
        <Field label="Search by pin, name or card">
          <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <button type="submit">Search</button>
        {mayEdit && (
          <button type="button" class="secondary" onClick={() => (setSaved(undefined), setOpen('new'))}>
            Add person
          </button>
        )}
      </form>
      <Notice error={a.error || list.error} ok={a.ok || saved} />
      {open === 'new' && (
        <section aria-labelledby="new-h">
          <h2 id="new-h">New person</h2>
          <PersonEditor initial={EMPTY} isNew onDone={closed} readOnly={false} />
        </section>
      )}
      {open && open !== 'new' && <PersonDetail pin={open} me={me} onClose={closed} />}
      {list.data && (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Pin</th>
                  <th scope="col">Name</th>
                  <th scope="col">Department</th>
                  <th scope="col">Card</th>
                  <th scope="col">Levels</th>
                  <th scope="col">Valid until</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.rows.map((p: any) => (
                  <tr key={p.pin}>
                    <td>{p.pin}</td>
                    <td>
                      {p.name} {p.lastName} {p.isDisabled && <Badge tone="muted">disabled</Badge>}
                    </td>
                    <td>{p.deptName}</td>
                    <td>{p.cardNo}</td>
                    <td>{p.levels}</td>
                    <td>{p.accEndTime}</td>
                    <td>
                      <div class="actions">
                        <button type="button" class="secondary outline" aria-label={`Open ${p.pin}`} onClick={() => (setSaved(undefined), setOpen(p.pin))}>
                          Open
                        </button>
                        {mayEdit && (
                          <button type="button" class="secondary outline" aria-label={`Delete ${p.pin}`} onClick={() => setDel(p.pin)}>
                            Delete
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
                {list.data.rows.length === 0 && (
                  <tr>
                    <td colSpan={7}>No person matches.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
        </>
      )}
      <Confirm open={!!del} title="Delete person" confirmLabel={`Delete ${del}`} danger onConfirm={remove} onCancel={() => setDel(null)}>
        <p>Delete person {del}? The panels that hold them will be told to remove them.</p>
      </Confirm>
    </>
  );
}
