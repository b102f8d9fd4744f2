import { useState } from 'preact/hooks';
import { api, ApiError, fromLocalInput, query } from './api';
import type { Me } from './main';
import { Field, Notice, Pager, Progress, useLoad } from './ui';

const EMPTY = { from: '', to: '', pin: '', sn: '', doorId: '', eventNo: '' };

/** Reads the CSV as it streams, counting rows against X-Total-Count for the progress bar, then saves it. */
async function exportCsv(params: Record<string, unknown>, onProgress: (done: number, total: number) => void): Promise<number> {
  const res = await fetch(`/console/api/transactions/csv${query(params)}`, { credentials: 'same-origin' });
  if (!res.ok || !res.headers.get('content-type')?.startsWith('text/csv')) {
    const env = await res.json().catch(() => ({ code: -1, message: `HTTP ${res.status}` }));
    throw new ApiError(env.code, env.message);
  }
  const total = Number(res.headers.get('x-total-count') ?? 0);
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    for (const b of value) if (b === 10) lines++;
    onProgress(Math.max(0, lines - 1), total);
  }
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'transactions.csv';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return total;
}

export function TransactionsPage(_: { me: Me }) {
  const [form, setForm] = useState(EMPTY);
  const [filter, setFilter] = useState(EMPTY);
  const [page, setPage] = useState(1);
  const devices = useLoad(() => api('GET', 'devices'));
  const doors = useLoad(() => api('GET', 'doors'));
  const events = useLoad(() => api('GET', 'catalog/events'));
  const params = { ...filter, from: fromLocalInput(filter.from), to: fromLocalInput(filter.to) };
  const list = useLoad(() => api('GET', `transactions${query({ ...params, page, size: 50 })}`), [filter, page]);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [exportError, setExportError] = useState<unknown>();
  const [exported, setExported] = useState<string>();
  const set = (k: keyof typeof EMPTY) => (e: any) => setForm({ ...form, [k]: e.currentTarget.value });
  async function runExport() {
    setExportError(undefined);
    setExported(undefined);
    setProgress({ done: 0, total: 0 });
    try {
      const total = await exportCsv(params, (done, total) => setProgress({ done, total }));
      setExported(`Exported ${total.toLocaleString()} events to transactions.csv`);
    } catch (e) {
      setExportError(e);
    } finally {
      setProgress(null);
    }
  }
  return (
    <>
      <form
        aria-label="Filter transactions"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilter(form);
        }}
      >
        <div class="row">
          <Field label="From">
            <input type="datetime-local" name="from" value={form.from} onInput={set('from')} />
          </Field>
          <Field label="To">
            <input type="datetime-local" name="to" value={form.to} onInput={set('to')} />
          </Field>
          <Field label="Person pin">
            <input name="pin" value={form.pin} onInput={set('pin')} />
          </Field>
          <Field label="Device">
            <select name="sn" value={form.sn} onChange={set('sn')}>
              <option value="">all</option>
              {(devices.data ?? []).map((d: any) => (
                <option key={d.sn} value={d.sn}>
                  {d.alias} ({d.sn})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Door">
            <select name="doorId" value={form.doorId} onChange={set('doorId')}>
              <option value="">all</option>
              {(doors.data ?? []).map((d: any) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Event">
            <select name="eventNo" value={form.eventNo} onChange={set('eventNo')}>
              <option value="">all</option>
              {(events.data ?? []).map((e: any) => (
                <option key={e.code} value={String(e.code)}>
                  {e.code} · {e.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div class="row">
          <button type="submit">Apply filters</button>
          <button type="button" class="secondary" onClick={runExport} disabled={!!progress}>
            Export CSV
          </button>
        </div>
      </form>
      {progress && <Progress label={progress.total ? `Exporting ${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} events` : 'Preparing the export…'} value={progress.done} max={progress.total || undefined} />}
      <Notice error={exportError || list.error} ok={exported} />
      {list.data && (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Person</th>
                  <th scope="col">Device</th>
                  <th scope="col">Door / point</th>
                  <th scope="col">Event</th>
                  <th scope="col">Verified by</th>
                </tr>
              </thead>
              <tbody>
                {list.data.rows.map((t: any) => (
                  <tr key={t.id}>
                    <td>{t.eventTime}</td>
                    <td>{t.pin ? `${t.name} ${t.lastName} (${t.pin})` : ''}</td>
                    <td>{t.devName || t.devSn}</td>
                    <td>{t.doorName || t.eventPointName}</td>
                    <td>
                      {t.eventName} ({t.eventNo})
                    </td>
                    <td>{t.verifyModeName}</td>
                  </tr>
                ))}
                {list.data.rows.length === 0 && (
                  <tr>
                    <td colSpan={6}>No event matches.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
        </>
      )}
    </>
  );
}
