import { useEffect, useRef, useState } from 'preact/hooks';
import { refillAfterSave } from './refill';
import { api, ApiError, errorText, fromLocalInput, localInput, query, toLocalInput } from './api';
import type { Go, Me, PageProps } from './main';
import { CsvExport } from './csv-export';
import { PersonImport } from './person-import';
import { PersonBiometrics } from './person-biometrics';
import { PersonAccess } from './person-access';
import { DepartmentLists } from './catalog';
import { Badge, can, DEFAULT_CODE, hasDefault, cannotHoldText, Confirm, DataTable, DepartmentFilter, deviceLabel, Field, kindName, Notice, Pager, queryPage, queryValues, refusalsText, useAction, useLoad, useReloadWhileWaiting, writeQuery, offlineHoldersNote, offlineReceiversNote, closeOnEscape, Ticks } from './ui';

const EMPTY = {
  pin: '',
  name: '',
  lastName: '',
  deptCode: '',
  gender: '',
  mobilePhone: '',
  email: '',
  birthday: '',
  hireDate: '',
  certType: '',
  certNumber: '',
  cardNo: '',
  supplyCards: '',
  personPwd: '',
  clearPwd: false,
  accLevelIds: [] as string[],
  eleLevelIds: [] as string[],
  psgLevelIds: [] as string[],
  accStartTime: '',
  accEndTime: '',
  isDisabled: false,
  personPhoto: '',
  removePhoto: false,
};
type Form = typeof EMPTY;

/**
 * The new-person form as it stood when its first Save was answered, and what that Save sent. The saved person opens
 * in a form of its own (the detail, read from the database): what the operator typed while the save was on its way is
 * carried into it, as refillAfterSave keeps it in an open person's form.
 */
type Carried = { pin: string; current: Form; sent: Form };

/**
 * A person's document types as the manual numbers them in the person list (2.13.9) and reinstatement (2.13.10),
 * the table the visitor sections use too; 2.13.7's other table (1 ID card, 2 passport…) is the odd one out. The code is what a client reads back, so a label on the wrong code would misname the document.
 */
const PERSON_CERT_TYPES: Array<[string, string]> = [
  ['2', 'ID card'],
  ['3', 'Passport'],
  // The manual names 4 and 7 both a driver's/driving licence: the code tells the operator which of the two a client
  // reads back (two look-alike entries made either an even guess).
  ['4', "Driver's licence (code 4)"],
  ['5', 'Work permit'],
  ['6', 'Citizen card'],
  ['7', 'Driving licence (code 7)'],
  ['8', 'Other'],
  ['1000', 'Xiamen social security card'],
  ['1001', 'Hong Kong and Macao travel permit'],
];

/** A photo file as the base64 the REST API takes (no data: prefix). */
function readPhoto(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error('The photo could not be read'));
    r.readAsDataURL(file);
  });
}

/**
 * A person's levels in the list, compact: the access levels, then the elevator and entrance-control levels on lines of
 * their own, each named by its module (CVSecurity's person list shows the access, elevator and passage levels alike).
 */
function LevelNames({ p }: { p: { levelNames?: string[]; eleLevelNames?: string[]; psgLevelNames?: string[] } }) {
  const modules: Array<[string, string[] | undefined]> = [
    ['Elevator', p.eleLevelNames],
    ['Entrance', p.psgLevelNames],
  ];
  return (
    <>
      {(p.levelNames ?? []).join(', ')}
      {modules.map(([what, names]) =>
        names?.length ? (
          <small key={what} class="level-module">
            {what}: {names.join(', ')}
          </small>
        ) : null,
      )}
    </>
  );
}

/** A person's levels of a module (elevator, entrance control), shown once such a level exists. */
function ModuleLevelBox({ legend, name, levels, ticked, onChange }: { legend: string; name: string; levels: any[] | undefined; ticked: string[]; onChange: (ticked: string[]) => void }) {
  if (!levels?.length) return null;
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div class="checks">
        <Ticks name={name} options={levels.map((l) => ({ id: l.id, label: l.name }))} ticked={ticked} onChange={onChange} />
      </div>
    </fieldset>
  );
}

function PersonEditor({ initial, version, filled, isNew, onDone, onSaved, readOnly, pwdSet, hasPhoto, note, takeCarried }: { initial: Form; version?: string; filled?: number; isNew: boolean; onDone: () => void; onSaved: (pin: string, saved: string, carried?: Carried) => void; readOnly: boolean; pwdSet?: boolean; hasPhoto?: boolean; note?: string; takeCarried?: () => Carried | undefined }) {
  const [f, setF] = useState<Form>(() => {
    const c = takeCarried?.();
    // The pin is the saved person's (the field is closed once they exist).
    return c && c.pin === initial.pin ? { ...refillAfterSave(c.current, c.sent, initial), pin: initial.pin } : initial;
  });
  // The form as it stands now, for the answer of a save sent before the latest keystrokes.
  const latest = useRef(f);
  latest.current = f;
  // The person as the form was filled from it (the detail is read again while a panel confirms; the form is not):
  // a save over a change made since, by another operator or the API, is refused rather than putting back the old values.
  const [readVersion, setReadVersion] = useState(version);
  // What the last Save sent: the refill after it (`filled` moves on) keeps any field changed since (refill.ts).
  const sent = useRef<Form | undefined>(undefined);
  const filledFor = useRef(filled);
  useEffect(() => {
    if (filled === filledFor.current) return;
    filledFor.current = filled;
    setF((now) => refillAfterSave(now, sent.current, initial));
    setReadVersion(version);
  }, [filled]);
  const levels = useLoad(() => api('GET', 'catalog/levels'));
  const eleLevels = useLoad(() => api<any[]>('GET', 'elevator/levels'));
  const psgLevels = useLoad(() => api<any[]>('GET', 'entrance/levels'));
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
      // CVSecurity's person form holds these too; "" clears one the operator emptied (person/add keeps what is left out).
      gender: f.gender,
      mobilePhone: f.mobilePhone.trim(),
      email: f.email.trim(),
      birthday: f.birthday,
      hireDate: f.hireDate,
      certType: f.certType,
      certNumber: f.certNumber.trim(),
      cardNo: f.cardNo,
      supplyCards: f.supplyCards,
      accLevelIds: f.accLevelIds.join(','),
      // Sent only where such levels exist (their box shows them): the person's elevator and entrance-control levels, exactly those ticked.
      eleLevelIds: eleLevels.data?.length ? f.eleLevelIds.join(',') : undefined,
      psgLevelIds: psgLevels.data?.length ? f.psgLevelIds.join(',') : undefined,
      // "" clears a validity the operator emptied (left out, the stored one would stay while "Saved" showed)
      accStartTime: fromLocalInput(f.accStartTime) ?? '',
      accEndTime: fromLocalInput(f.accEndTime) ?? '',
      isDisabled: f.isDisabled,
      personPhoto: f.personPhoto || undefined,
      // Only when no new photo is chosen: the console's own field, the REST API has no way to remove a photo.
      removePhoto: f.removePhoto && !f.personPhoto ? true : undefined,
      // The keypad password is never shown back: left empty, the one set stays (person/add keeps what is left
      // out); "" clears it, as person/add clears it.
      personPwd: f.clearPwd ? '' : f.personPwd || undefined,
      version: isNew ? undefined : readVersion,
    };
    // A device that is offline keeps what it held until it polls again: the message names it.
    const saved = (r: unknown) => `Saved ${body.pin}${offlineReceiversNote(r as Parameters<typeof offlineReceiversNote>[0], 'the change')}`;
    sent.current = f;
    const r = await a.run(() => api('POST', isNew ? 'persons?new=1' : 'persons?edit=1', body));
    // As CVSecurity does, the person stays open, read again: the form shows what was saved and the Panels table its
    // way to the panels. The confirmation is the page's (`note`, beside this Save button once the form is filled again).
    if (r !== undefined) onSaved(body.pin, saved(r), isNew ? { pin: body.pin, current: latest.current, sent: sent.current } : undefined);
  }
  async function photo(e: any) {
    const file: File | undefined = e.currentTarget.files?.[0];
    if (file) setF({ ...f, personPhoto: await readPhoto(file) });
  }
  return (
    <form onSubmit={save} onInvalidCapture={a.invalid} onKeyDown={closeOnEscape(onDone)} aria-label={isNew ? 'New person' : `Edit person ${f.pin}`}>
      <fieldset disabled={readOnly}>
        <div class="row">
          <Field required label="Pin">
            <input name="pin" maxLength={64} value={f.pin} disabled={!isNew} onInput={set('pin')} />
          </Field>
          <Field label="First name">
            <input name="name" maxLength={100} value={f.name} onInput={set('name')} />
          </Field>
          <Field label="Last name">
            <input name="lastName" maxLength={100} value={f.lastName} onInput={set('lastName')} />
          </Field>
          <Field label="Department">
            {/* The default department is one of the list: a separate "(default)" entry named it twice. A new person
                starts in it, as in CVSecurity's person form (left so, department/add puts them there too). */}
            <select name="deptCode" value={f.deptCode || (hasDefault(depts.data) ? DEFAULT_CODE : '')} onChange={set('deptCode')}>
              {!hasDefault(depts.data) && <option value="">(default)</option>}
              {(depts.data ?? []).map((d: any) => (
                <option key={d.code} value={d.code}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div class="row">
          <Field label="Gender">
            <select name="gender" value={f.gender} onChange={set('gender')}>
              <option value="">not given</option>
              <option value="M">Male</option>
              <option value="F">Female</option>
              {/* A letter another client stored is shown as it is, not replaced by the first choice. */}
              {f.gender && f.gender !== 'M' && f.gender !== 'F' && <option value={f.gender}>{f.gender}</option>}
            </select>
          </Field>
          <Field label="Mobile phone">
            <input name="mobilePhone" type="tel" maxLength={32} value={f.mobilePhone} onInput={set('mobilePhone')} />
          </Field>
          <Field label="Email">
            <input name="email" type="email" maxLength={100} value={f.email} onInput={set('email')} />
          </Field>
          <Field label="Birthday">
            <input name="birthday" type="date" value={f.birthday} onInput={set('birthday')} />
          </Field>
          <Field label="Hire date">
            <input name="hireDate" type="date" value={f.hireDate} onInput={set('hireDate')} />
          </Field>
        </div>
        <div class="row">
          <Field label="Certificate type">
            <select name="certType" value={f.certType} onChange={set('certType')}>
              <option value="">not given</option>
              {PERSON_CERT_TYPES.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
              {/* A code another client stored (2.13.7's table, say) is shown as it is, not replaced by the first choice. */}
              {f.certType && !PERSON_CERT_TYPES.some(([v]) => v === f.certType) && <option value={f.certType}>type {f.certType}</option>}
            </select>
          </Field>
          <Field label="Certificate number">
            <input name="certNumber" maxLength={64} value={f.certNumber} onInput={set('certNumber')} />
          </Field>
        </div>
        <div class="row">
          <Field label="Card number">
            <input name="cardNo" maxLength={64} value={f.cardNo} onInput={set('cardNo')} />
          </Field>
          <Field label="More cards" hint="comma-separated">
            <input name="supplyCards" value={f.supplyCards} onInput={set('supplyCards')} />
          </Field>
          <Field label="Device password" hint={isNew ? 'for the keypad (card + password, password only)' : f.clearPwd ? 'cleared on save' : pwdSet ? 'one is set; empty keeps it' : 'none set'}>
            <input name="personPwd" type="password" autocomplete="new-password" inputMode="numeric" maxLength={32} value={f.personPwd} disabled={f.clearPwd} onInput={set('personPwd')} />
          </Field>
          <Field label="Valid from">
            <input name="accStartTime" type="datetime-local" step={1} value={f.accStartTime} onInput={set('accStartTime')} />
          </Field>
          <Field label="Valid until">
            <input name="accEndTime" type="datetime-local" step={1} value={f.accEndTime} onInput={set('accEndTime')} />
          </Field>
        </div>
        <fieldset>
          <legend>Access levels</legend>
          <div class="checks">
            <Ticks name="level" options={(levels.data ?? []).map((l: any) => ({ id: l.id, label: l.name }))} ticked={f.accLevelIds} onChange={(accLevelIds) => setF({ ...f, accLevelIds })} />
            {levels.data?.length === 0 && <small>No access levels yet.</small>}
          </div>
        </fieldset>
        {/* CVSecurity's person form has elevator and passage tabs: the floors and gates a person may use come from these levels. */}
        <ModuleLevelBox legend="Elevator levels" name="eleLevel" levels={eleLevels.data} ticked={f.eleLevelIds} onChange={(eleLevelIds) => setF({ ...f, eleLevelIds })} />
        <ModuleLevelBox legend="Entrance-control levels" name="psgLevel" levels={psgLevels.data} ticked={f.psgLevelIds} onChange={(psgLevelIds) => setF({ ...f, psgLevelIds })} />
        <div class="row">
          <Field label={hasPhoto ? 'New photo (JPEG or PNG)' : 'Photo (JPEG or PNG)'}>
            <input name="photo" type="file" accept="image/jpeg,image/png" onChange={photo} disabled={f.removePhoto} />
          </Field>
          {hasPhoto && (
            <label>
              <input type="checkbox" name="removePhoto" checked={f.removePhoto} disabled={!!f.personPhoto} onChange={set('removePhoto')} />
              Remove the photo (from the panels too)
            </label>
          )}
          {/* The password is never sent to the browser, so it cannot be emptied in the field: this clears it. */}
          {pwdSet && (
            <label>
              <input type="checkbox" name="clearPwd" checked={f.clearPwd} onChange={(e) => setF({ ...f, clearPwd: e.currentTarget.checked, personPwd: '' })} />
              Clear the device password
            </label>
          )}
          <label>
            <input type="checkbox" role="switch" name="isDisabled" checked={f.isDisabled} onChange={set('isDisabled')} />
            Disabled
          </label>
        </div>
        {/* The last save's confirmation where the operator pressed Save, until the next action's outcome replaces it. */}
        <Notice error={a.error} ok={a.ok || (a.error ? undefined : note)} />
      </fieldset>
      {/* Outside the fieldset: a viewer, or anyone looking at a resigned person, can still close the detail. */}
      <div class="row">
        {!readOnly && (
          <button type="submit" aria-busy={a.busy} disabled={a.busy}>
            Save person
          </button>
        )}
        <button type="button" class="secondary" onClick={() => onDone()}>
          Close
        </button>
      </div>
    </form>
  );
}

/** Each state the sync status API gives (GET /api/gateway/persons/{pin}/devices), in words, with its tone. */
const SYNC_STATES: Record<string, { label: string; tone: 'ok' | 'warn' | 'bad' | 'muted' }> = {
  synced: { label: 'holds them', tone: 'ok' },
  pending: { label: 'on its way', tone: 'warn' },
  divergent: { label: 'not held: refused or unanswered, retried', tone: 'bad' },
  refused: { label: 'refused by the firmware', tone: 'bad' },
  failed: { label: 'failed: not sent again until the data changes', tone: 'bad' },
  skipped: { label: 'skipped: cannot be sent', tone: 'bad' },
  removing: { label: 'being removed', tone: 'warn' },
};

/** The same states where the person must leave the panel (`desired` false). */
const LEAVING_STATES: Record<string, string> = {
  pending: 'removal on its way',
  divergent: 'not removed: refused or unanswered, retried',
};

/**
 * A panel's state for this person in words. Commands for an offline panel wait in its queue: they are not "on
 * their way" until it polls again, so the words say what they wait for.
 */
function stateText(d: { state: string; desired: boolean; online?: boolean; holdsDisabled?: boolean | null }): string {
  if (d.online === false && (d.state === 'pending' || d.state === 'removing')) return d.desired ? 'waiting for the panel: offline' : 'removal waiting for the panel: offline';
  const text = (!d.desired && LEAVING_STATES[d.state]) || (SYNC_STATES[d.state]?.label ?? d.state);
  // A disabled person stays on the panel as a disabled user (Disable=1): said once the panel confirmed it.
  if (d.holdsDisabled === true) return d.state === 'synced' ? 'holds them disabled' : `${text} (holds them disabled)`;
  if (d.holdsDisabled === false && (d.state === 'pending' || d.state === 'synced')) return 'disable on its way';
  return text;
}

/** Door numbers of an AuthorizeDoorId bitmask (door 1 → 1, 2 → 2, 3 → 4 ...). */
function doorsOf(mask: number): number[] {
  const out: number[] = [];
  for (let door = 1; mask >> (door - 1); door++) if ((mask >> (door - 1)) & 1) out.push(door);
  return out;
}

/** A panel's door and time zone names, as the console's API gives them beside the rights (door number → name, time zone id → time segment). */
interface RightNames {
  doors: Record<number, string>;
  timeSegments: Record<number, string>;
}

/**
 * Rights as the API gives them: doors (a channel controller's gates) or an elevator controller's floors, with the
 * time zone; each door by its name and each time zone by its time segment (a number only when nothing names it).
 */
function rightsText(rights: Array<{ timezoneId: number; authorizeDoorId?: number; floors?: number[] }>, names: RightNames): string {
  if (rights.length === 0) return 'none';
  return rights
    .map((r) => (r.floors ? `floors ${r.floors.join(', ')}` : doorsOf(r.authorizeDoorId ?? 0).map((n) => names.doors[n] ?? `door ${n}`).join(', ')) + ` (${names.timeSegments[r.timezoneId] ?? `time zone ${r.timezoneId}`})`)
    .join('; ');
}


/** Attendance terminals and FaceKiosks hold a person's user record (with templates and photo), never door rights. */
const isTerminal = (d: { kind?: string | null }) => d.kind === 'att' || d.kind === 'facekiosk';

/** Which panels and terminals hold the person and which do not yet, per device as the sync status API reports it. */
function PanelsOfPerson({ devices, timeSegments, go }: { devices: any[]; timeSegments: Record<number, string>; go: Go }) {
  return (
    <DataTable
      label="Panels holding this person"
      rows={devices}
      rowKey={(d) => d.deviceSn}
      empty="No panel or terminal holds or should hold this person (no access level with doors, no attendance area with terminals)."
      columns={[
        {
          head: 'Device',
          cell: (d) => (
            <>
              <a href={`/console/devices?sn=${encodeURIComponent(d.deviceSn)}`} onClick={(e) => go(`devices?sn=${encodeURIComponent(d.deviceSn)}`, e)}>
                {deviceLabel(d.deviceAlias, d.deviceSn)}
              </a>{' '}
              <small>{kindName(d.kind)}</small>
            </>
          ),
        },
        {
          head: 'State',
          cell: (d) => <Badge tone={SYNC_STATES[d.state]?.tone ?? 'warn'}>{stateText(d)}</Badge>,
        },
        { head: 'Should hold', cell: (d) => (!d.desired ? 'nothing (the person must leave it)' : isTerminal(d) ? 'the person (attendance: no doors)' : rightsText(d.rights, { doors: d.doorNames ?? {}, timeSegments })) },
        { head: 'Confirmed rights', cell: (d) => (isTerminal(d) ? 'not applicable' : rightsText(d.confirmedRights, { doors: d.doorNames ?? {}, timeSegments })) },
        { head: 'Last confirmed', cell: (d) => d.lastConfirmedAt ?? '' },
        { head: 'Not confirmed', cell: (d) => d.unconfirmed.join(', ') },
        { head: 'Commands waiting', cell: (d) => d.pendingCommands },
        { head: 'Last error', cell: (d) => [d.lastError, d.refusals.length ? `refused for good: ${refusalsText(d.refusals)}` : null].filter(Boolean).join('; ') },
        { head: 'Skipped', cell: (d) => d.skipped ?? '' },
        // "Holds them" is about what the device can hold: a secondary card a panel without multi-card (or a terminal
        // past its one ViceCard) cannot take is said here, or an operator believes it opens that device's doors.
        { head: 'Cannot hold', cell: (d) => cannotHoldText(d.cannotHold ?? []) },
      ]}
    />
  );
}

function PersonDetail({ pin, me, go, onClose, onSaved, onChanged, rev, saved, takeCarried }: { pin: string; me: Me; go: Go; onClose: () => void; onSaved: (pin: string, saved: string) => void; onChanged: () => void; rev: number; saved?: string; takeCarried: () => Carried | undefined }) {
  // Read again after each save (`rev`), the person shown until the answer comes: the page keeps its height, so the
  // operator stays where they pressed Save rather than being thrown to the top while it reads. The answer carries the
  // save it was read for: the form is filled again from it, over any field the operator changed since pressing Save
  // (a re-read while a panel confirms leaves the form alone).
  const detail = useLoad(() => api('GET', `persons/${encodeURIComponent(pin)}`).then((d: any) => ({ ...d, rev })), [pin, rev]);
  const { data, error, reload } = detail;
  const a = useAction();
  const [asking, setAsking] = useState<'leave' | 'reinstate' | null>(null);
  // CVSecurity's resignation form starts on today's date: a leave without one listed no date under Left on.
  const [leaveDate, setLeaveDate] = useState('');
  // While a panel has not confirmed (commands waiting, or being added or removed), read again every 2 s: the
  // table turns to "holds them" when the panel confirms, not only when the person is opened again.
  useReloadWhileWaiting(detail, (d: any) => d.devices.some((x: any) => x.pendingCommands > 0 || x.state === 'pending' || x.state === 'removing'));
  // Opened from an address (a bookmark, a link) the pin may be nobody's: say whose, unless the answer already does (-22).
  if (error) {
    const text = errorText(error);
    const named = error instanceof ApiError && error.message.endsWith(`: ${pin}`);
    return <Notice error={named ? text : `Person ${pin}: ${text}`} />;
  }
  if (!data) return <p aria-busy="true">Loading…</p>;
  const p = data.person;
  const left = data.left as { leaveDate: string | null; leaveType: string | null } | null;
  const mayEdit = can(me.role, 'operator');
  const initial: Form = {
    pin: p.pin,
    name: p.name,
    lastName: p.lastName,
    deptCode: p.deptCode,
    gender: p.gender ?? '',
    mobilePhone: p.mobilePhone ?? '',
    email: p.email ?? '',
    birthday: p.birthday ?? '',
    hireDate: p.hireDate ?? '',
    certType: p.certType ?? '',
    certNumber: p.certNumber ?? '',
    cardNo: p.cardNo,
    supplyCards: p.supplyCards,
    accLevelIds: p.accLevelIds ? p.accLevelIds.split(',') : [],
    eleLevelIds: p.eleLevelIds ?? [],
    psgLevelIds: p.psgLevelIds ?? [],
    accStartTime: toLocalInput(p.accStartTime),
    accEndTime: toLocalInput(p.accEndTime),
    isDisabled: p.isDisabled,
    personPhoto: '',
    removePhoto: false,
    personPwd: '',
    clearPwd: false,
  };
  async function confirmed() {
    const what = asking!;
    setAsking(null);
    const done =
      what === 'leave'
        ? await a.run(() => api('POST', `persons/${encodeURIComponent(pin)}/leave`, { leaveDate: leaveDate || undefined }), (r) => `${pin} has left; the panels are told to remove them${offlineHoldersNote(r, 'them')}`)
        : await a.run(() => api('POST', `persons/${encodeURIComponent(pin)}/reinstate`, {}), `${pin} is reinstated; the panels of their levels receive them again`);
    if (done !== undefined) {
      reload();
      onChanged();
    }
  }
  return (
    <section aria-labelledby="detail-h">
      <h2 id="detail-h">
        {p.name} {p.lastName} ({p.pin}) {left && <Badge tone="muted">resigned{left.leaveDate ? ` on ${left.leaveDate}` : ''}</Badge>}
      </h2>
      {p.personPhoto && <img src={`data:image/jpeg;base64,${p.personPhoto}`} alt={`Photo of ${p.name}`} width={96} />}
      <Notice error={a.error} ok={a.ok} />
      {mayEdit && (
        <div class="row">
          {left ? (
            <button type="button" aria-busy={a.busy} disabled={a.busy} onClick={() => setAsking('reinstate')}>
              Reinstate
            </button>
          ) : (
            <button type="button" class="secondary" aria-busy={a.busy} disabled={a.busy} onClick={() => (setLeaveDate(localInput(new Date(), me.timeZone).slice(0, 10)), setAsking('leave'))}>
              Leave
            </button>
          )}
        </div>
      )}
      {/* A resigned person cannot be edited (the REST API refuses it too): reinstate them first. */}
      <PersonEditor key={left ? 'left' : 'active'} initial={initial} version={data.version} filled={data.rev} isNew={false} onDone={onClose} onSaved={onSaved} readOnly={!mayEdit || !!left} pwdSet={p.hasPersonPwd} hasPhoto={!!p.personPhoto} note={data.rev === rev ? saved : undefined} takeCarried={takeCarried} />
      <PersonBiometrics pin={pin} rows={p.biometrics ?? []} mayEdit={mayEdit && !left} onChanged={reload} />
      <h2>Panels</h2>
      <PanelsOfPerson devices={data.devices} timeSegments={data.timeSegments ?? {}} go={go} />
      <PersonAccess pin={pin} rev={data.rev} />
      <Confirm
        open={!!asking}
        title={asking === 'leave' ? 'Person leaves' : 'Reinstate person'}
        confirmLabel={asking === 'leave' ? `${pin} leaves` : `Reinstate ${pin}`}
        danger={asking === 'leave'}
        onConfirm={confirmed}
        onCancel={() => setAsking(null)}
      >
        {asking === 'leave' ? (
          <>
            <p>
              {p.name} {p.lastName} ({pin}) leaves: every panel is told to remove them. They stay in the database, resigned, with their access levels, and
              can be reinstated.
            </p>
            <Field label="Leave date" hint="today unless changed, in the site's zone">
              <input type="date" name="leaveDate" value={leaveDate} onInput={(e) => setLeaveDate(e.currentTarget.value)} />
            </Field>
          </>
        ) : (
          <p>
            Reinstate {p.name} {p.lastName} ({pin})? The panels of their access levels receive them again.
          </p>
        )}
      </Confirm>
    </section>
  );
}

/**
 * A person's sync state over their devices in the Persons list (the list API's `sync`, summed up from the same
 * per-device states the person's Panels table shows): whether every device that should hold their rights does.
 */
function PersonSyncBadge({ s }: { s: { state: string; devices: number; pending: number; refused: number } }) {
  const devices = (n: number) => `${n} device${n === 1 ? '' : 's'}`;
  if (s.state === 'none') return <Badge tone="muted">no device</Badge>;
  if (s.state === 'refused') return <Badge tone="bad">refused on {devices(s.refused)}{s.pending ? `, pending on ${s.pending}` : ''}</Badge>;
  if (s.state === 'pending') return <Badge tone="warn">pending on {devices(s.pending)} of {s.devices}</Badge>;
  return <Badge tone="ok">synced on {devices(s.devices)}</Badge>;
}

/** Whom a confirmation is about, by name and pin ("Dora Diaz (3100)"): a pin alone is easy to mistake. */
function personLabel(rows: any[] | undefined, pin: string | null): string {
  const p = rows?.find((r) => r.pin === pin);
  const name = p ? [p.name, p.lastName].filter(Boolean).join(' ') : '';
  return name ? `${name} (${pin})` : (pin ?? '');
}

export function PersonsPage({ me, go, sub }: PageProps) {
  // The search, department, list and page are in the address too (?q=…&deptCode=…&status=left&page=2): a reload
  // or Back shows the same list.
  const [start] = useState(() => queryValues({ q: '', deptCode: '', status: '' }));
  const [q, setQ] = useState(start.q);
  const [search, setSearch] = useState(start.q);
  // Active persons, or the resigned ones (CVSecurity's leave list), whom an operator can open and reinstate.
  const [status, setStatus] = useState<'active' | 'left'>(start.status === 'left' ? 'left' : 'active');
  // CVSecurity lists persons by department: the list API takes the department's code.
  const [deptCode, setDeptCode] = useState(start.deptCode);
  const depts = useLoad(() => api('GET', 'catalog/departments'));
  // CVSecurity manages departments under Personnel: their list, creation, editing and deletion open here (as on the
  // Access levels page), in the address too (?view=departments) so a reload keeps them open.
  const [deptsOpen, setDeptsOpen] = useState(() => queryValues({ view: '' }).view === 'departments');
  useEffect(() => writeQuery({ view: deptsOpen ? 'departments' : undefined }), [deptsOpen]);
  const [page, setPage] = useState(queryPage);
  useEffect(() => writeQuery({ q: search, deptCode, status: status === 'left' ? 'left' : undefined, page }), [search, deptCode, status, page]);
  // The person open is in the address (/console/persons/4711): a reload, a bookmark or Back opens the same one.
  const [open, setOpen] = useState<string | 'new' | 'import' | null>(sub ?? null);
  useEffect(() => setOpen((o) => sub ?? (o === 'new' || o === 'import' ? o : null)), [sub]);
  // The state changes at once (with the message set beside it, in one render), the address with it.
  const show = (pin: string | null) => {
    setOpen(pin);
    if (pin !== null) go(`persons/${encodeURIComponent(pin)}${location.search}`);
    else if (sub !== undefined) go(`persons${location.search}`);
  };
  const [del, setDel] = useState<string | null>(null);
  const [saved, setSaved] = useState<string>();
  const a = useAction();
  // One message at a time: a delete's "Deleted …" (or its error) must not stand in place of a later "Saved …".
  const fresh = () => (setSaved(undefined), a.setOk(undefined), a.setError(undefined));
  const closed = () => ((carried.current = undefined), show(null), fresh(), list.reload());
  // A save keeps the person open (a new one opens), read afresh: the detail reads it again (savedRev), so its form
  // is filled from the saved person and its Panels table follows the change to the panels.
  const [savedRev, setSavedRev] = useState(0);
  const detailOpen = !!open && open !== 'new' && open !== 'import';
  const carried = useRef<Carried | undefined>(undefined);
  const savedTo = (pin: string, msg: string, carry?: Carried) => ((carried.current = carry), fresh(), setSaved(msg), setSavedRev((r) => r + 1), show(pin), list.reload());
  // Taken once, by the form of the person just created: a later opening starts from the database alone.
  const takeCarried = () => {
    const c = carried.current;
    carried.current = undefined;
    return c;
  };
  const list = useLoad(() => api('GET', `persons${query({ q: search, deptCode, page, size: 50, status: status === 'left' ? 'left' : undefined })}`), [search, deptCode, page, status]);
  // While a row's devices have not all confirmed, read the page again every 2 s: "pending" turns to "synced" as they answer.
  useReloadWhileWaiting(list, (d: any) => d.rows.some((r: any) => r.sync?.state === 'pending'));
  const mayEdit = can(me.role, 'operator');
  // An empty list without a search or department is an empty site (or leave list), not a search that found nothing:
  // a newcomer is told where persons come from rather than "No person matches".
  const unfiltered = !search && !deptCode;
  const emptyText =
    status === 'left'
      ? unfiltered ? 'No person has left.' : 'No resigned person matches.'
      : unfiltered ? (mayEdit ? 'No person yet: add one with Add person, or import a CSV.' : 'No person yet.') : 'No person matches.';
  async function remove() {
    const pin = del!;
    setDel(null);
    setSaved(undefined);
    const done = await a.run(() => api('DELETE', `persons/${encodeURIComponent(pin)}`), (r) => `Deleted ${pin}; the panels that hold them are told to remove them (the Devices page follows them)${offlineHoldersNote(r, 'them')}`);
    // Their detail, if open, goes with them: its Save would be an edit of nobody.
    if (done && open === pin) show(null);
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
          // The same search again reads the list again: what was added or changed since shows.
          list.reload();
        }}
      >
        <Field label="Search by pin, name or card">
          <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <DepartmentFilter value={deptCode} onChange={(e) => (setPage(1), setDeptCode(e.currentTarget.value))} departments={depts.data} />
        <Field label="Show">
          <select name="status" value={status} onChange={(e) => (setPage(1), setStatus(e.currentTarget.value as 'active' | 'left'))}>
            <option value="active">Active persons</option>
            <option value="left">Resigned persons</option>
          </select>
        </Field>
        <button type="submit">Search</button>
        {mayEdit && (
          <button type="button" class="secondary" onClick={() => (fresh(), sub !== undefined && go(`persons${location.search}`), setOpen('new'))}>
            Add person
          </button>
        )}
        {mayEdit && (
          <button type="button" class="secondary" aria-expanded={open === 'import'} onClick={() => (fresh(), sub !== undefined && go(`persons${location.search}`), setOpen(open === 'import' ? null : 'import'))}>
            Import CSV
          </button>
        )}
        <button type="button" class="secondary" aria-expanded={deptsOpen} aria-controls="departments-section" onClick={() => setDeptsOpen(!deptsOpen)}>
          Departments
        </button>
        {/* The persons the list shows (search, department, active or resigned), every page of them. */}
        <CsvExport path="persons/csv" fileName="persons.csv" params={{ q: search, deptCode, status: status === 'left' ? 'left' : undefined }} what="persons" />
      </form>
      {/* A save's confirmation: beside the open person's Save button (the detail shows it), else here. */}
      <Notice error={a.error || list.error} ok={a.ok || (detailOpen ? undefined : saved)} />
      {open === 'new' && (
        <section aria-labelledby="new-h">
          <h2 id="new-h">New person</h2>
          <PersonEditor initial={EMPTY} isNew onDone={closed} onSaved={savedTo} readOnly={false} />
        </section>
      )}
      {open === 'import' && <PersonImport onImported={() => list.reload()} />}
      {deptsOpen && (
        <section id="departments-section" aria-labelledby="departments-h">
          <h2 id="departments-h">Departments</h2>
          {/* A department renamed or removed shows in the filter's choices and in the persons' rows at once. */}
          <DepartmentLists me={me} onChanged={() => (depts.reload(), list.reload())} />
        </section>
      )}
      {detailOpen && <PersonDetail key={open} pin={open} me={me} go={go} onClose={closed} onSaved={savedTo} onChanged={() => list.reload()} rev={savedRev} saved={saved} takeCarried={takeCarried} />}
      {list.data && (
        <>
          <div class="table-wrap">
            <table aria-label="Persons">
              <thead>
                <tr>
                  <th scope="col">Pin</th>
                  <th scope="col">Name</th>
                  <th scope="col">Department</th>
                  <th scope="col">Card</th>
                  <th scope="col">Levels</th>
                  <th scope="col">Devices</th>
                  <th scope="col">{status === 'left' ? 'Left on' : 'Valid until'}</th>
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
                    <td>
                      <LevelNames p={p} />
                    </td>
                    <td>{p.sync && <PersonSyncBadge s={p.sync} />}</td>
                    <td>{status === 'left' ? p.leaveDate : p.accEndTime}</td>
                    <td>
                      <div class="actions">
                        <button type="button" class="secondary outline" aria-label={`Open ${p.pin}`} onClick={() => (fresh(), show(p.pin))}>
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
                    <td colSpan={8}>{emptyText}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
        </>
      )}
      <Confirm open={!!del} title="Delete person" confirmLabel={`Delete ${del}`} danger onConfirm={remove} onCancel={() => setDel(null)}>
        <p>Delete person {personLabel(list.data?.rows, del)}? The panels that hold them will be told to remove them.</p>
      </Confirm>
    </>
  );
}
