import { api } from './api';
import { CsvExport } from './csv-export';
import type { Me } from './main';
import { LoadedTable, DEVICE_COLUMNS, EventFilters, eventParams, Notice, PagedTable, useLoad, usePagedList } from './ui';

/** Attendance terminals and FaceKiosks with their state, and the punches (ATTLOG) with filters, paging and CSV export. */
export function AttendancePage(_: { me: Me }) {
  const devices = useLoad(() => api('GET', 'attendance/devices'));
  const l = usePagedList('attendance/punches', { from: '', to: '', pin: '', sn: '' }, eventParams);
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
            { head: 'Kind', cell: (d: any) => d.kind },
            { head: 'Area', cell: (d: any) => d.areaName },
          ]}
        />
      </section>
      <section aria-labelledby="att-punch-h">
        <h2 id="att-punch-h">Punches</h2>
        <form aria-label="Filter punches" onSubmit={l.apply}>
          <div class="row">
            <EventFilters form={l.form} set={l.set} devices={devices.data} />
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
            { head: 'Device', cell: (t: any) => `${t.devName} (${t.devSn})` },
            { head: 'State', cell: (t: any) => t.eventName },
            { head: 'Verified by', cell: (t: any) => t.verifyModeName },
            { head: 'Point', cell: (t: any) => t.eventPointName },
          ]}
        />
      </section>
    </>
  );
}
