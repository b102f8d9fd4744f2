import { useState } from 'preact/hooks';
import { api } from './api';
import { doorTone, lockWords, sensorWords } from './dashboard';
import type { Me } from './main';
import { DoorAccess } from './door-access';
import { Badge, can, Confirm, ConnectBadge, deviceLabel, Field, followCommand, Notice, Pager, SearchFilters, useAction, useEvery, useLiveReload, useLoad, usePagedList } from './ui';

const ACTIONS: Array<{ action: string; label: string; question: (door: string) => string; danger?: boolean }> = [
  { action: 'open', label: 'Open', question: (d) => `Unlock ${d}?` },
  { action: 'close', label: 'Close', question: (d) => `Lock ${d} now?` },
  { action: 'normalOpen', label: 'Normal open', question: (d) => `Hold ${d} open until someone closes it again?`, danger: true },
  { action: 'cancelAlarm', label: 'Cancel alarm', question: (d) => `Cancel the alarm of ${d}?` },
  // CVSecurity's Activate / Deactivate Lockdown.
  { action: 'lockdown', label: 'Lockdown', question: (d) => `Lock ${d} down? Its panel lets nobody through it until the lockdown ends.`, danger: true },
  { action: 'endLockdown', label: 'End lockdown', question: (d) => `End the lockdown of ${d}?` },
];

/** The door parameters the edit dialog sets (the panel's door options), as the door list names them. */
const PARAMS = ['lockDelay', 'sensorType', 'sensorDelay', 'opInterval'] as const;
/**
 * The door's time zones and lock at door closing as the form's selects hold them ('' never set, the panel's own; the
 * passage mode's 'none' for none), and the passwords as typed (blank: kept) or cleared.
 */
type DoorMoreForm = { keepOpen: string; valid: string; closeAndLock: string; duress: string; emergency: string; clearDuress: boolean; clearEmergency: boolean };
type DoorEditForm = { id: string; was: any; name: string; enabled: boolean } & Record<(typeof PARAMS)[number], string> & DoorMoreForm;

/** The selects' values of a door as listed. */
function doorMoreValues(d: any): Pick<DoorMoreForm, 'keepOpen' | 'valid' | 'closeAndLock'> {
  return { keepOpen: d.keepOpenSet ? (d.keepOpenSegmentId ?? 'none') : '', valid: d.validSegmentId ?? '', closeAndLock: d.closeAndLock === null || d.closeAndLock === undefined ? '' : d.closeAndLock ? '1' : '0' };
}

/** The dialog's form for a door as listed: a parameter never set is blank (the panel's own). */
function doorEditForm(d: any): DoorEditForm {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return {
    id: d.id, was: d, name: d.name, enabled: d.enabled, lockDelay: text(d.lockDelay), sensorType: text(d.sensorType), sensorDelay: text(d.sensorDelay), opInterval: text(d.opInterval),
    ...doorMoreValues(d), duress: '', emergency: '', clearDuress: false, clearEmergency: false,
  };
}

/** What the form changed of the time zones, lock at closing and passwords, as the door edit's fields. */
function doorMoreBody(e: DoorEditForm): Record<string, unknown> {
  const was = doorMoreValues(e.was);
  const body: Record<string, unknown> = {};
  if (e.keepOpen !== '' && e.keepOpen !== was.keepOpen) body.keepOpenSegmentId = e.keepOpen === 'none' ? null : e.keepOpen;
  if (e.valid !== '' && e.valid !== was.valid) body.validSegmentId = e.valid;
  if (e.closeAndLock !== '' && e.closeAndLock !== was.closeAndLock) body.closeAndLock = e.closeAndLock === '1';
  if (e.clearDuress) body.duressPassword = '';
  else if (e.duress !== '') body.duressPassword = e.duress;
  if (e.clearEmergency) body.emergencyPassword = '';
  else if (e.emergency !== '') body.emergencyPassword = e.emergency;
  return body;
}

export function DoorsPage({ me }: { me: Me }) {
  // A site has hundreds of doors: the list is paged and narrowed as CVSecurity's door list is, by door name and by
  // device (its name or SN); the filters and page are in the address, so a reload shows the same doors.
  const l = usePagedList('doors', { name: '', device: '' });
  const { data, error, reload } = l.list;
  // Door states and the panels' connection change on the device side: read again as the live stream reports a change
  // (a door opened, a panel gone offline or back), and every 10 s in case the stream missed one while it reconnected.
  useLiveReload('doors/stream', ['doorState', 'deviceState'], reload);
  useEvery(10_000, reload);
  const [pending, setPending] = useState<{ door: any; action: (typeof ACTIONS)[number] } | null>(null);
  // CVSecurity's Door > Enable / Disable: the door asked about (its `enabled` says which of the two).
  const [toggle, setToggle] = useState<any>(null);
  // How long a remote opening releases the lock (CVSecurity asks for it: 1-254 s, 5 unless changed).
  const [seconds, setSeconds] = useState('5');
  const a = useAction();
  async function confirm() {
    const p = pending!;
    setPending(null);
    const body = p.action.action === 'open' ? { interval: Number(seconds) } : {};
    const r = await a.run(
      () => api('POST', `doors/${p.door.id}/${p.action.action}`, body),
      () => `${p.action.label}: command queued for ${p.door.name}, waiting for the panel`,
    );
    reload();
    if (r?.commandId) await followCommand(a, r.deviceSn, r.commandId, { label: p.action.label, target: p.door.name, device: 'panel' }, reload);
  }
  async function confirmToggle() {
    const d = toggle;
    setToggle(null);
    const enable = !d.enabled;
    await a.run(
      () => api('POST', `doors/${d.id}/${enable ? 'enable' : 'disable'}`),
      (r: any) =>
        !r.changed
          ? `${d.name} was already ${enable ? 'enabled' : 'disabled'}`
          : enable
            ? `${d.name} enabled; its panel ${r.deviceSn} is sent the members' rights on it again`
            : `${d.name} disabled; its panel ${r.deviceSn} is told to withdraw it from every member's rights, and remote commands to it are refused`,
    );
    reload();
  }
  // CVSecurity's door edit: the door's name, whether it is enabled, and its parameters the panel keeps as options
  // (lock-open duration, sensor type and delay, operate interval), as opened (`was`) and as typed.
  const [edit, setEdit] = useState<DoorEditForm | null>(null);
  // The time segments the dialog's time zones are chosen from, read when it opens.
  const segments = useLoad(() => (edit ? api('GET', 'catalog/time-segments') : Promise.resolve([])), [!!edit]);
  // Its own action: a refusal (a name another door has) is shown in the dialog, left open to correct it, not behind it.
  const ea = useAction();
  async function saveEdit() {
    const e = edit!;
    // Only what the operator changed is sent: a field another operator changed meanwhile is kept, not put back.
    const name = e.name.trim();
    const body: Record<string, unknown> = {};
    if (name !== e.was.name) body.name = name;
    if (e.enabled !== e.was.enabled) body.enabled = e.enabled;
    // A parameter is sent when typed and not what the door had (a blank one, never set, stays the panel's own).
    for (const k of PARAMS) if (e[k] !== '' && e[k] !== String(e.was[k] ?? '')) body[k] = Number(e[k]);
    Object.assign(body, doorMoreBody(e));
    if (Object.keys(body).length === 0) return setEdit(null);
    const done = (r: any) =>
      [
        r.renamed ? `${e.was.name} renamed to ${r.door}` : `${r.door} saved`,
        r.enabledChanged && (e.enabled ? `enabled; its panel ${r.deviceSn} is sent the members' rights on it again` : `disabled; its panel ${r.deviceSn} is told to withdraw it from every member's rights, and remote commands to it are refused`),
        r.optionsQueued > 0 && `its parameters are sent to its panel ${r.deviceSn} (SET OPTIONS), held once it confirms`,
      ]
        .filter(Boolean)
        .join('; ');
    if ((await ea.run(() => api('PUT', `doors/${e.id}`, body), done)) !== undefined) setEdit(null);
    reload();
  }
  // The door whose persons are listed (CVSecurity's Access rights by door).
  const [access, setAccess] = useState<any>(null);
  const mayAct = can(me.role, 'operator');
  const filtered = !!(l.filter.name || l.filter.device);
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      <Notice ok={ea.ok} />
      <SearchFilters label="Filter doors" list={l} fields={[['name', 'Door name'], ['device', 'Device name or SN']]} />
      {error && <Notice error={error} />}
      {!error && !data && <p aria-busy="true">Loading…</p>}
      {!error && data && (
      <>
      <div class="table-wrap">
        <table aria-label="Doors">
          <thead>
            <tr>
              <th scope="col">Door</th>
              <th scope="col">Panel</th>
              <th scope="col">Sensor</th>
              <th scope="col">Lock</th>
              <th scope="col">Alarm</th>
              {mayAct && <th scope="col">Remote control</th>}
              <th scope="col">Access rights</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((d: any) => (
              <tr key={d.id}>
                <td>
                  {d.name} {!d.enabled && <Badge tone="muted">disabled</Badge>}
                </td>
                <td>
                  {deviceLabel(d.deviceName, d.deviceSn)}{' '}
                  <ConnectBadge connect={d.connect} />
                </td>
                <td>
                  <Badge tone={doorTone(d)}>{sensorWords(d.sensor)}</Badge>
                </td>
                <td>{lockWords(d.relay)}</td>
                <td>{d.alarm}</td>
                {mayAct && (
                  <td>
                    <div class="actions">
                      {/* A disabled door takes no remote command: its buttons are off until it is enabled. */}
                      {ACTIONS.map((x) => (
                        <button key={x.action} type="button" class={x.danger ? 'secondary' : ''} aria-label={`${x.label} ${d.name}`} disabled={!d.enabled} onClick={() => setPending({ door: d, action: x })}>
                          {x.label}
                        </button>
                      ))}
                      <button type="button" class="secondary outline" aria-label={`${d.enabled ? 'Disable' : 'Enable'} ${d.name}`} onClick={() => setToggle(d)}>
                        {d.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button type="button" class="secondary outline" aria-label={`Edit ${d.name}`} onClick={() => (ea.setError(undefined), setEdit(doorEditForm(d)))}>
                        Edit
                      </button>
                    </div>
                  </td>
                )}
                <td>
                  {/* Named "Persons" only (the row says which door; the title says it whole): a name holding the door's would
                      make this cell match the door's own name as well. */}
                  <button type="button" class="secondary outline" title={`Who has access to ${d.name}`} onClick={() => setAccess(d)}>
                    Persons
                  </button>
                </td>
              </tr>
            ))}
            {data.rows.length === 0 && (
              <tr>
                <td colSpan={7}>{filtered ? 'No door matches.' : 'No doors yet: approve a panel.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager page={data.page} size={data.size} total={data.total} onPage={l.setPage} />
      </>
      )}
      {/* Keyed by door: another door starts at its first page, with no row of the last door shown under its name. */}
      {access && <DoorAccess key={access.id} door={access} onClose={() => setAccess(null)} />}
      <Confirm open={!!pending} title="Confirm door command" confirmLabel={pending ? `${pending.action.label} ${pending.door.name}` : ''} danger={pending?.action.danger} onConfirm={confirm} onCancel={() => setPending(null)}>
        {pending && <p>{pending.action.question(pending.door.name)}</p>}
        {pending?.action.action === 'open' && (
          <Field required label="Open for (seconds)">
            <input type="number" name="interval" min={1} max={254} step={1} value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
          </Field>
        )}
      </Confirm>
      <Confirm open={!!edit} title="Edit door" confirmLabel={edit ? `Save ${edit.was.name}` : ''} onConfirm={saveEdit} onCancel={() => setEdit(null)}>
        {edit && (
          <>
            <Notice error={ea.error} />
            <p>
              Door {edit.was.doorNo} of {deviceLabel(edit.was.deviceName, edit.was.deviceSn)}
            </p>
            <Field required label="Door name">
              <input name="name" required maxLength={100} value={edit.name} onInput={(e) => setEdit({ ...edit, name: e.currentTarget.value })} />
            </Field>
            <label>
              <input type="checkbox" name="enabled" checked={edit.enabled} onChange={(e) => setEdit({ ...edit, enabled: e.currentTarget.checked })} />
              Enabled (disabled, its panel lets nobody through it and it takes no remote command)
            </label>
            {/* The door's parameters its panel keeps as options (SET OPTIONS Door<n>Drivertime, ..., manual 9.5.1), in
                CVSecurity's bounds; the planner sends them with the save and records them held once the panel confirms. */}
            <Field required label="Lock open duration (seconds)">
              <input type="number" name="lockDelay" required min={1} max={254} step={1} value={edit.lockDelay} onInput={(ev) => setEdit({ ...edit, lockDelay: ev.currentTarget.value })} />
            </Field>
            <Field label="Door sensor type">
              <select name="sensorType" value={edit.sensorType} onChange={(ev) => setEdit({ ...edit, sensorType: ev.currentTarget.value })}>
                {edit.was.sensorType === null && <option value="">The panel's own</option>}
                <option value="0">None</option>
                <option value="1">Normally open</option>
                <option value="2">Normally closed</option>
              </select>
            </Field>
            <Field label="Door sensor delay (seconds, 0: no alarm)">
              <input type="number" name="sensorDelay" min={0} max={254} step={1} placeholder="the panel's own" value={edit.sensorDelay} onInput={(ev) => setEdit({ ...edit, sensorDelay: ev.currentTarget.value })} />
            </Field>
            <Field label="Operate interval (seconds)">
              <input type="number" name="opInterval" min={0} max={254} step={1} placeholder="the panel's own" value={edit.opInterval} onInput={(ev) => setEdit({ ...edit, opInterval: ev.currentTarget.value })} />
            </Field>
            {/* CVSecurity's Passage Mode and Door Active time zones (Door<n>KeepOpenTimeZone, Door<n>ValidTZ): a time
                segment, which the panel is sent as a time zone before the option naming it. */}
            <Field label="Passage mode time zone">
              {/* Made again once the segments are read: a select given its value before its options shows the first. */}
              <select key={segments.data ? 'read' : 'reading'} name="keepOpen" value={edit.keepOpen} onChange={(ev) => setEdit({ ...edit, keepOpen: ev.currentTarget.value })}>
                {!edit.was.keepOpenSet && <option value="">The panel's own</option>}
                <option value="none">None</option>
                {(segments.data ?? []).map((s: any) => (
                  <option value={s.id}>{s.name}</option>
                ))}
              </select>
            </Field>
            <Field label="Door active time zone">
              <select key={segments.data ? 'read' : 'reading'} name="valid" value={edit.valid} onChange={(ev) => setEdit({ ...edit, valid: ev.currentTarget.value })}>
                {edit.was.validSegmentId === null && <option value="">24-Hour Accessible (the panel's default)</option>}
                {(segments.data ?? []).map((s: any) => (
                  <option value={s.id}>{s.name}</option>
                ))}
              </select>
            </Field>
            <Field label="Close and reverse lock">
              <select name="closeAndLock" value={edit.closeAndLock} onChange={(ev) => setEdit({ ...edit, closeAndLock: ev.currentTarget.value })}>
                {edit.was.closeAndLock === null && <option value="">The panel's own</option>}
                <option value="1">Yes: lock when the door closes</option>
                <option value="0">No</option>
              </select>
            </Field>
            {/* Secrets: never shown back; blank keeps the one set. */}
            <Field label="Duress password (up to 6 digits)" hint={edit.was.duressPasswordSet ? 'One is set: blank keeps it.' : undefined}>
              <input type="password" name="duressPassword" inputMode="numeric" pattern="[0-9]{0,6}" maxLength={6} autoComplete="new-password" disabled={edit.clearDuress} value={edit.duress} onInput={(ev) => setEdit({ ...edit, duress: ev.currentTarget.value })} />
            </Field>
            {edit.was.duressPasswordSet && (
              <label>
                <input type="checkbox" name="clearDuress" checked={edit.clearDuress} onChange={(ev) => setEdit({ ...edit, clearDuress: ev.currentTarget.checked })} />
                Clear the duress password
              </label>
            )}
            <Field label="Emergency password (up to 8 digits)" hint={edit.was.emergencyPasswordSet ? 'One is set: blank keeps it.' : undefined}>
              <input type="password" name="emergencyPassword" inputMode="numeric" pattern="[0-9]{0,8}" maxLength={8} autoComplete="new-password" disabled={edit.clearEmergency} value={edit.emergency} onInput={(ev) => setEdit({ ...edit, emergency: ev.currentTarget.value })} />
            </Field>
            {edit.was.emergencyPasswordSet && (
              <label>
                <input type="checkbox" name="clearEmergency" checked={edit.clearEmergency} onChange={(ev) => setEdit({ ...edit, clearEmergency: ev.currentTarget.checked })} />
                Clear the emergency password
              </label>
            )}
            <small>Saved parameters are sent to the panel as its own door options; it keeps them even when the gateway is unreachable.</small>
          </>
        )}
      </Confirm>
      <Confirm
        open={!!toggle}
        title={toggle?.enabled ? 'Disable door' : 'Enable door'}
        confirmLabel={toggle ? `${toggle.enabled ? 'Disable' : 'Enable'} ${toggle.name}` : ''}
        danger={toggle?.enabled}
        onConfirm={confirmToggle}
        onCancel={() => setToggle(null)}
      >
        {toggle && (
          <p>
            {toggle.enabled
              ? `Disable ${toggle.name}? Its panel stops letting anyone through it (the door is withdrawn from every person's rights there) and it takes no remote command until it is enabled again.`
              : `Enable ${toggle.name}? Its panel is sent the rights of the persons whose levels include it again.`}
          </p>
        )}
      </Confirm>
    </>
  );
}
