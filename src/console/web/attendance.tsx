import { useState } from 'preact/hooks';
import { api } from './api';
import { CsvExport } from './csv-export';
import type { PageProps } from './main';
import { can, ConvergenceLink, DepartmentFilter, deviceLabel, Field, offlineHoldersNote, offlineReceiversNote, LoadedTable, DEVICE_COLUMNS, EventFilters, eventParams, Notice, PagedTable, SyncBadge, useAction, useConfirm, useEvery, useLoad, usePagedList } from './ui';

/**
 * Who is on an area's attendance terminals (the REST API's attAreaPerson/set and delete, 2.8): persons join or
 * leave an area, and its terminals receive them (users, templates, photo) or drop them.
 */
function AreaMembers({ onChanged }: { onChanged: () => void }) {
  const areas = useLoad(() => api<any[]>('GET', 'catalog/areas'));
  const [code, setCode] = useState('1');
  const [pins, setPins] = useState('');
  const a = useAction();
  // Taking persons off deletes them, with their fingerprints and faces, from every terminal of the area: asked first.
  const confirm = useConfirm();
  const list = () => pins.split(/[\s,]+/).filter(Boolean);
  // The area as CVSecurity's web client names it, by its name (its code only while the list is not read yet).
  const areaName = () => (areas.data ?? []).find((x: any) => x.code === code)?.name ?? code;
  async function change(remove: boolean) {
    const body = { code, pins: list() };
    const name = areaName();
    const r = await a.run(
      () => api('POST', remove ? 'attendance/area-persons/remove' : 'attendance/area-persons', body),
      // What the gateway holds now; the terminals follow when they poll (their queue shows each Return).
      // An offline terminal is named: it still holds them (or does not have them yet) until it polls again.
      (r: any) =>
        remove
          ? `${body.pins.join(', ')} left area ${name}; its terminals are told to remove them${offlineHoldersNote(r, 'them')}`
          : `${body.pins.join(', ')} joined area ${name}; its terminals are sent them${offlineReceiversNote(r)}`,
    );
    if (r !== undefined) {
      setPins('');
      onChanged();
    }
  }
  return (
    <form aria-label="Persons on an area's terminals" onInvalidCapture={a.invalid} onSubmit={(e) => (e.preventDefault(), change(false))}>
      <div class="row">
        <Field label="Area">
          <select name="code" value={code} onChange={(e) => setCode(e.currentTarget.value)}>
            {(areas.data ?? [{ code: '1', name: '1' }]).map((x: any) => (
              <option key={x.code} value={x.code}>
                {x.name} ({x.code})
              </option>
            ))}
          </select>
        </Field>
        <Field required label="Pins" hint="comma- or space-separated">
          <input name="pins" value={pins} onInput={(e) => setPins(e.currentTarget.value)} />
        </Field>
      </div>
      <div class="row">
        <button type="submit" aria-busy={a.busy} disabled={a.busy}>
          Put on the area's terminals
        </button>
        <button type="button" class="secondary" disabled={a.busy || list().length === 0} onClick={(e) => {
            e.preventDefault();
            confirm.ask({ title: "Take off the area's terminals", confirmLabel: `Take ${list().join(', ')} off`, danger: true, question: `Take ${list().join(', ')} off the terminals of area ${areaName()}? The terminals delete them with their fingerprints and faces.`, run: () => change(true) });
          }}>
          Take off the area's terminals
        </button>
      </div>
      <Notice error={a.error} ok={a.ok} />
      {confirm.dialog}
    </form>
  );
}

/**
 * How far a terminal holds its area's members, from the users its Return codes confirmed (the Sync column says
 * whether every item is the latest): a terminal that never answered holds nobody as far as the gateway knows.
 */
function membersText(d: any): string {
  const m = d.members;
  if (!m) return '';
  if (m.members === 0 && m.toRemove === 0) return 'no members in its area';
  const held = `confirmed holding ${m.held} of ${m.members} area members`;
  return m.toRemove > 0 ? `${held}; ${m.toRemove} no longer members, still held` : held;
}

/** The console API's kind of an attendance device in CVSecurity's words, as the Devices page names it: a bare "terminal" said nothing. */
const ATT_KINDS: Record<string, string> = { terminal: 'Attendance terminal', FaceKiosk: 'FaceKiosk' };

/** Attendance terminals and FaceKiosks with their state and sync, and the punches (ATTLOG) with filters, paging and CSV export. */
export function AttendancePage({ me, go }: PageProps) {
  const devices = useLoad(() => api('GET', 'attendance/devices'));
  // A terminal going offline sends nothing: read the states again every 10 s, as the Devices page does.
  useEvery(10_000, devices.reload);
  const depts = useLoad(() => api('GET', 'catalog/departments'));
  const l = usePagedList('attendance/punches', { from: '', to: '', pin: '', name: '', deptCode: '', sn: '' }, eventParams);
  return (
    <>
      <section aria-labelledby="att-dev-h">
        <h2 id="att-dev-h">Terminals and FaceKiosks</h2>
        <LoadedTable
          load={devices}
          label="Attendance devices"
          rowKey={(d: any) => d.sn}
          empty="No attendance terminal or FaceKiosk has registered yet."
          columns={[
            ...DEVICE_COLUMNS,
            { head: 'Kind', cell: (d: any) => ATT_KINDS[d.kind] ?? d.kind },
            { head: 'Area', cell: (d: any) => d.areaName },
            { head: 'Area members', cell: membersText },
            {
              head: 'Sync',
              cell: (d: any) => (
                <>
                  <SyncBadge d={d} />{' '}
                  <ConvergenceLink sn={d.sn} go={go}>
                    details
                  </ConvergenceLink>
                </>
              ),
            },
          ]}
        />
      </section>
      {can(me.role, 'operator') && (
        <section aria-labelledby="att-area-h">
          <h2 id="att-area-h">Persons on the terminals</h2>
          <p>A terminal holds the persons of its area (a new terminal is in area 1); the Persons page shows which terminals hold someone.</p>
          <AreaMembers onChanged={devices.reload} />
        </section>
      )}
      <section aria-labelledby="att-punch-h">
        <h2 id="att-punch-h">Punches</h2>
        <form aria-label="Filter punches" onSubmit={l.apply}>
          <div class="row">
            <EventFilters form={l.form} set={l.set} devices={devices.data} />
            <Field label="Person name">
              <input name="name" value={l.form.name} onInput={l.set('name')} />
            </Field>
            {/* CVSecurity's attendance reports are asked per department: the one the person was in at the punch. */}
            <DepartmentFilter value={l.form.deptCode} onChange={l.set('deptCode')} departments={depts.data} />
          </div>
          <div class="row">
            <button type="submit">Apply filters</button>
            <CsvExport path="attendance/punches/csv" fileName="attendance.csv" params={l.params} what="punches" />
          </div>
        </form>
        <PagedTable
          label="Punches"
          list={l.list}
          setPage={l.setPage}
          rowKey={(t: any) => t.id}
          empty="No punch matches."
          columns={[
            { head: 'Time', cell: (t: any) => t.eventTime },
            { head: 'Person', cell: (t: any) => (t.pin ? `${t.name} ${t.lastName} (${t.pin})`.replace('  ', ' ') : '') },
            { head: 'Department', cell: (t: any) => t.deptName },
            { head: 'Device', cell: (t: any) => deviceLabel(t.devName, t.devSn) },
            { head: 'State', cell: (t: any) => t.eventName },
            { head: 'Verified by', cell: (t: any) => t.verifyModeName },
            { head: 'Point', cell: (t: any) => t.eventPointName },
          ]}
        />
      </section>
    </>
  );
}
