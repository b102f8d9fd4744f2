import type { Me } from './main';
import { Badge, EventFilters, eventParams, PagedTable, usePagedList } from './ui';

const MASK: Record<string, string> = { '0': 'no mask', '1': 'mask' };

/** Temperature and mask events: temperature, mask, status (Normal / Abnormal / Unmeasured) and the device's snapshot. */
export function HepPage(_: { me: Me }) {
  const l = usePagedList('hep/events', { from: '', to: '', pin: '' }, eventParams);
  return (
    <>
      <form class="row" aria-label="Filter temperature and mask events" onSubmit={l.apply}>
        <EventFilters form={l.form} set={l.set} />
        <button type="submit">Apply filters</button>
      </form>
      <PagedTable
        label="Temperature and mask events"
        list={l.list}
        setPage={l.setPage}
        rowKey={(t: any) => t.id}
        empty="No temperature or mask event matches."
        columns={[
          { head: 'Time', cell: (t: any) => t.eventTime },
          { head: 'Person', cell: (t: any) => (t.pin && t.pin !== '0' ? `${t.name ?? ''} (${t.pin})` : 'unknown person') },
          { head: 'Where', cell: (t: any) => t.eventPointName || t.devName || t.devSn },
          { head: 'Temperature', cell: (t: any) => (t.temperature === null ? '—' : `${t.temperature.toFixed(1)} °C`) },
          { head: 'Mask', cell: (t: any) => (t.maskFlag === null ? 'not detected' : (MASK[t.maskFlag] ?? t.maskFlag)) },
          { head: 'Status', cell: (t: any) => <Badge tone={t.status === 'Normal' ? 'ok' : t.status === 'Abnormal' ? 'bad' : 'muted'}>{t.status}</Badge> },
          { head: 'Event', cell: (t: any) => t.eventName },
          { head: 'Photo', cell: (t: any) => (t.photoPath ? <img class="thumb" src={t.photoPath} alt={`Snapshot of ${t.pin && t.pin !== '0' ? t.pin : 'the event'} at ${t.eventTime}`} loading="lazy" /> : 'none') },
        ]}
      />
    </>
  );
}
