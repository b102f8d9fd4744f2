import { useState } from 'preact/hooks';
import { api } from './api';
import { doorTone, lockWords, sensorWords } from './dashboard';
import type { Me } from './main';
import { DoorAccess } from './door-access';
import { Badge, can, Confirm, ConnectBadge, deviceLabel, Field, followCommand, Notice, Pager, SearchFilters, useAction, useEvery, useLiveReload, usePagedList } from './ui';

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
type DoorEditForm = { id: string; was: any; name: string; enabled: boolean } & Record<(typeof PARAMS)[number], string>;

/** The dialog's form for a door as listed: a parameter never set is blank (the panel's own). */
function doorEditForm(d: any): DoorEditForm {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return { id: d.id, was: d, name: d.name, enabled: d.enabled, lockDelay: text(d.lockDelay), sensorType: text(d.sensorType), sensorDelay: text(d.sensorDelay), opInterval: text(d.opInterval) };
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
