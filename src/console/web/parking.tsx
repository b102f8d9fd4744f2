import { useState } from 'preact/hooks';
import { api, fromLocalInput } from './api';
import type { Me } from './main';
import { Badge, can, LoadedTable, EventFilters, eventParams, Field, Notice, PagedTable, useAction, useConfirm, useLoad, usePagedList, closeOnEscape } from './ui';

const EMPTY_ENTRY = { carNumber: '', type: '0', fromTime: '', fromClock: '', toTime: '', toClock: '' };

/**
 * A list entry's bound as the form holds it: the day, and the time of day when the entry has one (an entry stored
 * with `toTime=2026-03-02 18:00:00` keeps 18:00 through an edit that changes something else; an empty time is the
 * day's edge, as a bare date is to the API).
 */
const dayOf = (v: string | null | undefined) => (v ?? '').slice(0, 10);
const clockOf = (v: string | null | undefined) => (v ?? '').slice(11, 19);
/** The API's yyyy-MM-dd or yyyy-MM-dd HH:mm:ss (fromLocalInput: a step-1 input's HH:mm is second 0). */
const bound = (day: string, clock: string): string | undefined => (!day ? undefined : clock ? fromLocalInput(`${day}T${clock}`) : day);

/** The picture of one entry or exit record, fetched when asked for (pictures are large). */
function Picture({ id, direction }: { id: string; direction: string }) {
  const pic = useLoad(() => api('GET', `parking/records/${id}/picture?direction=${direction}`), [id, direction]);
  if (pic.error) return <Notice error={pic.error} />;
  if (!pic.data) return <p aria-busy="true">Loading the picture…</p>;
  return <img class="picture" src={`data:image/jpeg;base64,${pic.data}`} alt="Picture taken by the plate camera" />;
}

function Records({ direction }: { direction: '1' | '2' }) {
  const l = usePagedList('parking/records', { from: '', to: '', carNumber: '' }, (f) => ({ ...eventParams(f), direction }), 20);
  const [shown, setShown] = useState<string | null>(null);
  const what = direction === '1' ? 'entry' : 'exit';
  return (
    <section aria-labelledby={`park-${what}-h`}>
      <h2 id={`park-${what}-h`}>{direction === '1' ? 'Entries' : 'Exits'}</h2>
      <form class="row" aria-label={`Filter ${what} records`} onSubmit={l.apply}>
        <EventFilters form={l.form} set={l.set} pin={false} />
        <Field label="Plate contains">
          <input name="carNumber" value={l.form.carNumber} onInput={l.set('carNumber')} />
        </Field>
        <button type="submit">Apply filters</button>
      </form>
      <PagedTable
        label={`${what} records`}
        list={l.list}
        setPage={l.setPage}
        rowKey={(r: any) => r.id}
        empty={`No ${what} record matches.`}
        columns={[
          { head: 'Time', cell: (r: any) => r.checkInTime ?? r.checkOutTime },
          { head: 'Plate', cell: (r: any) => r.carNumber },
          { head: 'Decision', cell: (r: any) => r.eventType },
          { head: 'Vehicle', cell: (r: any) => r.carTypeName },
          { head: 'Lane', cell: (r: any) => r.channelName },
          { head: 'Driver', cell: (r: any) => r.name },
          {
            head: 'Picture',
            cell: (r: any) => (
              <button type="button" class="secondary outline small" aria-label={`Picture of ${r.carNumber} at ${r.checkInTime ?? r.checkOutTime}`} onClick={() => setShown(shown === r.id ? null : r.id)}>
                {shown === r.id ? 'Hide' : 'Show'}
              </button>
            ),
          },
        ]}
      />
      {shown && <Picture key={shown} id={shown} direction={direction} />}
    </section>
  );
}

/** Parking: the black and white plate lists (add, edit, delete) and entry/exit records with pictures. */
export function ParkingPage({ me }: { me: Me }) {
  const lists = useLoad(() => api('GET', 'parking/lists'));
  const [entry, setEntry] = useState(EMPTY_ENTRY);
  const [editing, setEditing] = useState<string | null>(null);
  const a = useAction();
  const confirm = useConfirm();
  const mayAct = can(me.role, 'operator');
  const set = (k: keyof typeof EMPTY_ENTRY) => (e: any) => setEntry({ ...entry, [k]: e.currentTarget.value });
  async function save(e: Event) {
    e.preventDefault();
    const body = { carNumber: entry.carNumber, type: entry.type, fromTime: bound(entry.fromTime, entry.fromClock), toTime: bound(entry.toTime, entry.toClock) };
    const done = await a.run(
      () => (editing ? api('PUT', `parking/lists/${encodeURIComponent(editing)}`, body) : api('POST', 'parking/lists', body)).then(() => true),
      `${entry.carNumber} ${editing ? 'changed' : 'added'} on the ${entry.type === '0' ? 'white' : 'black'} list`,
    );
    if (done) {
      setEntry(EMPTY_ENTRY);
      setEditing(null);
    }
    lists.reload();
  }
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      <section aria-labelledby="park-list-h">
        <h2 id="park-list-h">Black and white lists</h2>
        {mayAct && (
          <form class="row" aria-label={editing ? `Edit ${editing}` : 'Add a plate'} onInvalidCapture={a.invalid} onSubmit={save} onKeyDown={editing ? closeOnEscape(() => (setEditing(null), setEntry(EMPTY_ENTRY))) : undefined}>
            <Field required label="Plate">
              <input name="carNumber" maxLength={20} value={entry.carNumber} onInput={set('carNumber')} />
            </Field>
            <Field label="List">
              <select name="type" value={entry.type} onChange={set('type')}>
                <option value="0">white list</option>
                <option value="1">black list</option>
              </select>
            </Field>
            <Field required={entry.type === '0'} label="Valid from">
              <input type="date" name="fromTime" value={entry.fromTime} onInput={set('fromTime')} />
            </Field>
            <Field label="From time" hint="empty: the day's start">
              <input type="time" step={1} name="fromClock" value={entry.fromClock} onInput={set('fromClock')} />
            </Field>
            <Field required={entry.type === '0'} label="Valid to">
              <input type="date" name="toTime" value={entry.toTime} onInput={set('toTime')} />
            </Field>
            <Field label="To time" hint="empty: the day's end">
              <input type="time" step={1} name="toClock" value={entry.toClock} onInput={set('toClock')} />
            </Field>
            <button type="submit">{editing ? 'Save plate' : 'Add plate'}</button>
            {editing && (
              <button type="button" class="secondary" onClick={() => (setEditing(null), setEntry(EMPTY_ENTRY))}>
                Cancel
              </button>
            )}
          </form>
        )}
        <LoadedTable
          load={lists}
          label="Plates"
          rowKey={(p: any) => p.carNumber}
          empty="No plate on either list."
          columns={[
            { head: 'Plate', cell: (p: any) => p.carNumber },
            { head: 'List', cell: (p: any) => (p.type === 0 ? <Badge tone="ok">white</Badge> : <Badge tone="bad">black</Badge>) },
            { head: 'Valid from', cell: (p: any) => p.fromTime ?? '' },
            { head: 'Valid to', cell: (p: any) => p.toTime ?? '' },
            mayAct && {
              head: 'Actions',
              cell: (p: any) => (
                <div class="actions">
                  <button type="button" class="secondary outline" aria-label={`Edit ${p.carNumber}`} onClick={() => (setEditing(p.carNumber), setEntry({ carNumber: p.carNumber, type: String(p.type), fromTime: dayOf(p.fromTime), fromClock: clockOf(p.fromTime), toTime: dayOf(p.toTime), toClock: clockOf(p.toTime) }))}>
                    Edit
                  </button>
                  <button
                    type="button"
                    class="secondary outline"
                    aria-label={`Delete ${p.carNumber}`}
                    onClick={() =>
                      confirm.ask({
                        title: 'Delete plate',
                        confirmLabel: `Delete ${p.carNumber}`,
                        danger: true,
                        question: `Take ${p.carNumber} off the ${p.type === 0 ? 'white' : 'black'} list?`,
                        run: async () => (await a.run(() => api('DELETE', `parking/lists/${encodeURIComponent(p.carNumber)}`), `${p.carNumber} deleted`), lists.reload()),
                      })
                    }
                  >
                    Delete
                  </button>
                </div>
              ),
            },
          ]}
        />
      </section>
      <Records direction="1" />
      <Records direction="2" />
      {confirm.dialog}
    </>
  );
}
