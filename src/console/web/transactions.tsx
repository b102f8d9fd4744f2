import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { CsvExport } from './csv-export';
import type { Me } from './main';
import { deviceLabel, EventFilters, eventParams, Field, LevelBadge, Notice, PagedTable, useLoad, usePagedList } from './ui';

/** A JPEG unless its first bytes say PNG (base64 of 89 50 4E 47): devices send JPEG, an IPC linkage may send either. */
const photoSrc = (b64: string) => `data:image/${b64.startsWith('iVBOR') ? 'png' : 'jpeg'};base64,${b64}`;

/**
 * An event's capture photo in a modal, as CVSecurity's event list opens its photo icon: fetched when opened (a
 * photo is tens of kilobytes, the list carries none), closed by its button or Escape.
 */
function EventPhoto({ event, onClose }: { event: any; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const photo = useLoad(() => api('GET', `transactions/${encodeURIComponent(event.id)}/photo`), [event.id]);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const what = `${event.eventName} at ${event.doorName || event.eventPointName || event.devSn}, ${event.eventTime}${event.pin ? ` (${event.name} ${event.lastName} ${event.pin})`.replace(/\s+/g, ' ') : ''}`;
  return (
    <dialog ref={ref} aria-labelledby="event-photo-title" onCancel={(e) => (e.preventDefault(), onClose())}>
      <article>
        <h3 id="event-photo-title">Capture photo</h3>
        <p>{what}</p>
        {photo.error ? <Notice error={photo.error} /> : photo.data ? <img class="picture" src={photoSrc(photo.data as string)} alt={`Capture photo of ${what}`} /> : <p aria-busy="true">Loading the photo…</p>}
        <footer>
          <button type="button" class="secondary" onClick={onClose} autofocus>
            Close
          </button>
        </footer>
      </article>
    </dialog>
  );
}

const EMPTY = { from: '', to: '', pin: '', name: '', cardNo: '', sn: '', doorId: '', eventNo: '', eventLevel: '' };

export function TransactionsPage(_: { me: Me }) {
  const devices = useLoad(() => api('GET', 'devices'));
  const doors = useLoad(() => api('GET', 'doors/all'));
  const events = useLoad(() => api('GET', 'catalog/events'));
  const l = usePagedList('transactions', EMPTY, eventParams);
  const [shown, setShown] = useState<any>(null);
  return (
    <>
      <form aria-label="Filter transactions" onSubmit={l.apply}>
        <div class="row">
          <EventFilters form={l.form} set={l.set} devices={devices.data} />
          {/* Operators look events up by who they saw ("Grace Hopper") or the badge in hand, not only by pin. */}
          <Field label="Person name">
            <input name="name" value={l.form.name} onInput={l.set('name')} />
          </Field>
          <Field label="Card number">
            <input name="cardNo" inputMode="numeric" value={l.form.cardNo} onInput={l.set('cardNo')} />
          </Field>
          <Field label="Door">
            <select name="doorId" value={l.form.doorId} onChange={l.set('doorId')}>
              <option value="">all</option>
              {(doors.data ?? []).map((d: any) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Event">
            <select name="eventNo" value={l.form.eventNo} onChange={l.set('eventNo')}>
              <option value="">all</option>
              {(events.data ?? []).map((e: any) => (
                <option key={e.code} value={String(e.code)}>
                  {e.code} · {e.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Level">
            <select name="eventLevel" value={l.form.eventLevel} onChange={l.set('eventLevel')}>
              <option value="">all</option>
              <option value="0">normal</option>
              <option value="1">warning</option>
              <option value="2">alarm</option>
            </select>
          </Field>
        </div>
        <div class="row">
          <button type="submit">Apply filters</button>
          <CsvExport path="transactions/csv" fileName="transactions.csv" params={l.params} what="events" />
        </div>
      </form>
      <PagedTable
        list={l.list}
        setPage={l.setPage}
        label="Transactions"
        rowKey={(t: any) => t.id}
        empty="No event matches."
        columns={[
          { head: 'Time', cell: (t: any) => t.eventTime },
          { head: 'Person', cell: (t: any) => (t.pin ? `${t.name} ${t.lastName} (${t.pin})` : '') },
          // CVSecurity's list has the card number: for a badge nobody holds ("card is not registered") it is all there is.
          { head: 'Card number', cell: (t: any) => t.cardNo ?? '' },
          { head: 'Device', cell: (t: any) => deviceLabel(t.devName, t.devSn) },
          { head: 'Door / point', cell: (t: any) => t.doorName || t.eventPointName },
          {
            head: 'Event',
            cell: (t: any) => (
              <>
                {t.eventName} ({t.eventNo}) <LevelBadge level={t.eventLevel} />
              </>
            ),
          },
          { head: 'Verified by', cell: (t: any) => t.verifyModeName },
          {
            head: 'Photo',
            cell: (t: any) =>
              t.hasPhoto ? (
                <button type="button" class="secondary outline small" aria-label={`Photo of the event at ${t.eventTime}${t.pin ? ` (${t.pin})` : ''}`} title="Show the capture photo" onClick={() => setShown(t)}>
                  📷
                </button>
              ) : (
                ''
              ),
          },
        ]}
      />
      {shown && <EventPhoto key={shown.id} event={shown} onClose={() => setShown(null)} />}
    </>
  );
}
