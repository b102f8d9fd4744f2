import { cloneElement, isValidElement, type ComponentChildren, type VNode } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, errorText, fromLocalInput, query } from './api';
import type { Go } from './main';

export type Role = 'admin' | 'operator' | 'viewer';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const can = (role: Role, needed: Role) => RANK[role] >= RANK[needed];

/** A message line: errors are announced to screen readers at once, notices politely. */
export function Notice({ error, ok }: { error?: unknown; ok?: string }) {
  if (error) return <p role="alert" class="notice error">{errorText(error)}</p>;
  if (ok) return <p role="status" class="notice ok">{ok}</p>;
  return null;
}

/** Counts actions run (useAction): a command followed after a newer action no longer writes the page's message. */
let actionGeneration = 0;
/** Every shown message line's clearer: a page with several forms (a section each) shows the newest action's outcome only. */
const actionStarted = new Set<(owner: object) => void>();

/** A new action starts: the messages of the others go, as they are about something done before. */
function startAction(owner: object) {
  actionGeneration++;
  for (const clear of actionStarted) clear(owner);
}

/**
 * Runs an action, keeping its error or success message and a busy flag for the button. Starting one clears the
 * message every other action of the page shows: an old error left beside a new outcome reads as this one's.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [ok, setOk] = useState<string>();
  const owner = useRef({}).current;
  useEffect(() => {
    const clear = (by: object) => {
      if (by === owner) return;
      setError(undefined);
      setOk(undefined);
    };
    actionStarted.add(clear);
    return () => void actionStarted.delete(clear);
  }, []);
  async function run<T>(fn: () => Promise<T>, success?: string | ((r: T) => string)): Promise<T | undefined> {
    startAction(owner);
    setBusy(true);
    setError(undefined);
    setOk(undefined);
    try {
      const r = await fn();
      if (success) setOk(typeof success === 'function' ? success(r) : success);
      return r;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  /**
   * A form's onInvalidCapture: the browser refused to send it (a required field left empty, a choice not made, a
   * value out of range), so no request runs; the form's message line says which field and why, in place of the
   * previous action's message, which is about something else.
   */
  function invalid(e: Event) {
    const message = invalidMessage(e.currentTarget as HTMLFormElement);
    if (!message) return;
    startAction(owner);
    setOk(undefined);
    setError(new Error(message));
  }
  return { busy, error, ok, run, setError, setOk, invalid };
}

/** A form control's label as the operator reads it: the label's own words, without its hint or the options of a select. */
function labelOf(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): string {
  const label = el.labels?.[0];
  const own = label
    ? Array.from(label.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent)
        .join(' ')
        .trim()
    : '';
  return own || el.getAttribute('aria-label') || el.name || 'A field';
}

/** Why the browser will not send this form, naming the first field it refuses (undefined when it would). */
export function invalidMessage(form: HTMLFormElement): string | undefined {
  const el = Array.from(form.elements).find((x): x is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement => 'willValidate' in x && (x as HTMLInputElement).willValidate && !(x as HTMLInputElement).validity.valid);
  if (!el) return undefined;
  // A select left on its "choose" line: the browser's words ("select an item in the list") do not say which list.
  if (el instanceof HTMLSelectElement && el.validity.valueMissing) return `${labelOf(el)}: nothing chosen; choose one from the list`;
  return `${labelOf(el)}: ${el.validationMessage}`;
}

/**
 * What a done command's Return adds to "done": nothing for 0; a positive Return is success too (both manuals: a count
 * of records for a query, the size of a file), said as such; a negative one the queue counts as done is the goal
 * already reached (a delete of a user the device does not hold), said with its meaning. Never an error: the queue
 * decided done from the device's Return with the manual's rules.
 */
function doneReturn(c: { returnCode: number | null; returnMeaning?: string | null }): string {
  if (c.returnCode == null || c.returnCode === 0) return '';
  if (c.returnCode > 0) return ` (Return ${c.returnCode}: a count, success)`;
  return ` (Return ${c.returnCode}${c.returnMeaning ? `: ${c.returnMeaning}` : ''}, nothing left to do)`;
}

/**
 * Follows a remote action (door, floor, gate) to the device's Return, as its command queue shows it, for up to 30 s:
 * done, refused with its code and meaning, or no answer yet. `what` names the action and its target ("Open: floor 3").
 */
export async function followCommand(
  a: ReturnType<typeof useAction>,
  sn: string,
  id: string,
  what: { label: string; target: string; device: string; done?: (c: any) => Promise<string> },
  after?: () => void,
): Promise<void> {
  // Called right after the action's run: a newer action (another door, floor or gate) owns the message from then on.
  const mine = actionGeneration;
  for (let i = 0; i < 30; i++) {
    await new Promise((res) => setTimeout(res, 1000));
    if (actionGeneration !== mine) return;
    const c = (await api('GET', `devices/${encodeURIComponent(sn)}/commands?id=${id}&size=1`).catch(() => null))?.rows?.[0];
    if (actionGeneration !== mine) return;
    if (!c || c.state === 'pending' || c.state === 'sent') continue;
    // `done` words an answered command whose Return says more than "done" (a count; an empty query's -1, which the
    // queue counts as done): read once the device answered, never before.
    if (c.state === 'done' && what.done) {
      const said = await what.done(c).catch((e: Error) => `${what.label}: answered by the ${what.device} for ${what.target} (${e.message})`);
      if (actionGeneration === mine) a.setOk(said);
    } else if (c.state === 'done') a.setOk(`${what.label}: done by the ${what.device} for ${what.target}${doneReturn(c)}`);
    // A command failed without a Return (never fetched in time, or fetched and never answered) was not answered:
    // saying the device "answered Return ?" would claim a refusal no device sent.
    else if (c.returnCode == null) a.setError(new Error(`${what.label} ${what.target}: no Return from the ${what.device}${c.error ? `: ${c.error}` : ''}`));
    // The command's error is mostly the same Return in words ("Return -11: …"): said once, only what it adds is kept.
    else a.setError(new Error(`${what.label} ${what.target}: the ${what.device} answered Return ${c.returnCode}${c.returnMeaning ? ` (${c.returnMeaning})` : ''}${c.error && !String(c.error).startsWith(`Return ${c.returnCode}`) ? `: ${c.error}` : ''}`));
    after?.();
    return;
  }
  if (actionGeneration === mine) a.setOk(`${what.label}: queued for ${what.target}; no answer from the ${what.device} yet (Devices → its queue shows it)`);
}

/**
 * A device as the console names it: its name with its SN beside ("192.168.1.201 (CVP0001)"), the SN alone when
 * it has no other name. Names come from the address by default and are not unique (a replaced panel's successor
 * on the same address takes its name; a rename may repeat one): the SN tells the devices apart.
 */
export function deviceLabel(name: string | null | undefined, sn: string): string {
  return name && name !== sn ? `${name} (${sn})` : sn;
}

type OfflineDevices = Array<{ sn: string; alias: string }> | undefined;

/** "; NAME (SN) is offline and …" for the offline devices the server named, or nothing when none. */
function offlineNote(list: OfflineDevices, one: string, many: string): string {
  if (!list || list.length === 0) return '';
  const names = list.map((d) => deviceLabel(d.alias, d.sn)).join(', ');
  return list.length === 1 ? `; ${names} is offline and ${one}` : `; ${names} are offline and ${many}`;
}

/**
 * After a removal (a person leaves or is deleted, a visitor checks out, persons leave an area): the devices offline
 * now that still hold them, as the server answers them. A device decides by itself, so until it polls again and
 * removes them it still lets them in: "told to remove them" alone would read as done.
 */
export function offlineHoldersNote(r: { offlineHolders?: OfflineDevices } | null | undefined, object: string): string {
  return offlineNote(r?.offlineHolders, `still holds ${object} until it polls again`, `still hold ${object} until they poll again`);
}

/** After persons join an area or a visitor checks in: the devices offline now, which receive them only when they poll again. */
export function offlineReceiversNote(r: { offlineReceivers?: OfflineDevices } | null | undefined, object = 'them'): string {
  return offlineNote(r?.offlineReceivers, `receives ${object} when it polls again`, `receive ${object} when they poll again`);
}

/** Loads data on mount and whenever a dependency changes; `reload` fetches again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(undefined);
    fn().then(
      (d) => live && setData(d),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

/**
 * Calls `fn` every `ms` while the page is shown (not while the browser tab is hidden): states that change
 * without an event of their own (a panel going offline is the absence of its polls) are read again.
 */
export function useEvery(ms: number, fn: () => void) {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState !== 'hidden') latest.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}

/** At most one read per this many ms while a page's live stream reports changes (a panel's rtstate is one event per door). */
const LIVE_RELOAD_MS = 1000;

/**
 * Follows a console live stream (`/console/api/<path>`) and calls `reload` when it reports a change, the changes of a
 * moment together, and again each time the stream (re)opens, so a change made while it was down shows too. A stream
 * the browser gave up on (an error answer, a proxy's 502 while the gateway restarts) is opened again after 3 s.
 */
export function useLiveReload(path: string, types: string[], reload: () => void) {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let es: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let soon: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const reloadSoon = () => {
      soon ??= setTimeout(() => ((soon = undefined), latest.current()), LIVE_RELOAD_MS);
    };
    const connect = () => {
      const source = (es = new EventSource(`/console/api/${path}`));
      source.onopen = reloadSoon;
      source.onerror = () => {
        if (source.readyState !== EventSource.CLOSED || stopped) return;
        retry = setTimeout(connect, 3000);
      };
      for (const type of types) source.addEventListener(type, reloadSoon);
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(soon);
      es?.close();
    };
  }, [path]);
}

/**
 * Reads `load` again every 2 s while `waiting(data)` holds: views of work a device has not confirmed yet (its
 * command queue, its convergence, a person's panels) follow the device until it has answered, then stop.
 */
export function useReloadWhileWaiting<T>(load: { data?: T; reload: () => void }, waiting: (data: T) => boolean) {
  useEffect(() => {
    if (load.data === undefined || !waiting(load.data)) return;
    const t = setTimeout(load.reload, 2000);
    return () => clearTimeout(t);
  }, [load.data]);
}

/** Pages of a list: with `total` it counts pages; lists without a cheap count pass `more` instead. */
export function Pager({ page, size, total, more, onPage }: { page: number; size: number; total?: number; more?: boolean; onPage: (p: number) => void }) {
  const last = total === undefined ? undefined : Math.max(1, Math.ceil(total / size));
  const hasNext = last === undefined ? !!more : page < last;
  // A page past the end (an old link or bookmark, the last row of the last page deleted, a filter that now matches
  // fewer) would show "nothing matches" beside a count of rows: the list goes to its last page instead.
  useEffect(() => {
    if (last !== undefined && page > last) onPage(last);
  }, [page, last]);
  return (
    <nav class="pager" aria-label="Pagination">
      <button type="button" class="secondary outline" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
        ‹ Previous
      </button>
      <span aria-live="polite">{last === undefined ? `Page ${page}` : `Page ${page} of ${last} · ${total!.toLocaleString()} in all`}</span>
      <button type="button" class="secondary outline" disabled={!hasNext} onClick={() => onPage(page + 1)} aria-label="Next page">
        Next ›
      </button>
    </nav>
  );
}

export interface Column<T> {
  head: string;
  cell: (row: T) => ComponentChildren;
}

/** A table of rows with a header row, scrolling sideways on narrow screens, and a line when there is nothing. */
export function DataTable<T>({ columns, rows, empty, label, id, rowKey }: { columns: Array<Column<T> | false>; rows: T[]; empty: string; label?: string; id?: string; rowKey: (row: T) => string }) {
  const cols = columns.filter((c): c is Column<T> => !!c);
  return (
    <div class="table-wrap">
      <table id={id} aria-label={label}>
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col" key={c.head}>
                {c.head}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)}>
              {cols.map((c) => (
                <td key={c.head}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={cols.length}>{empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A table of loaded rows: its error in words while loading failed, a busy line while it loads. */
export function LoadedTable<T>({ load, ...table }: { load: { data?: T[]; error?: unknown }; columns: Array<Column<T> | false>; empty: string; label?: string; id?: string; rowKey: (row: T) => string }) {
  if (load.error) return <Notice error={load.error} />;
  if (!load.data) return <p aria-busy="true">Loading…</p>;
  return <DataTable {...table} rows={load.data} />;
}

export interface PageOf<T> {
  rows: T[];
  page: number;
  size: number;
  total?: number;
  more?: boolean;
}

/** The values of `initial`'s keys the address's query gives (`?pin=4711&from=…`), the others as in `initial`. */
export function queryValues<F extends Record<string, string>>(initial: F): F {
  const q = new URLSearchParams(location.search);
  const out: Record<string, string> = { ...initial };
  for (const k of Object.keys(initial)) {
    const v = q.get(k);
    if (v !== null) out[k] = v;
  }
  return out as F;
}

/** The page number the address's query gives (`?page=3`), 1 when none or nonsense. */
export function queryPage(key = 'page'): number {
  const n = Number(new URLSearchParams(location.search).get(key));
  return Number.isInteger(n) && n > 1 ? n : 1;
}

/**
 * Puts a list's filters and page in the address, in place (no history entry per keystroke or page): empty values
 * and page 1 are left out, other query keys (a device's `?view=`) kept.
 */
export function writeQuery(values: Record<string, string | number | undefined>) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === '' || (k === 'page' && v === 1)) q.delete(k);
    else q.set(k, String(v));
  }
  const text = q.toString();
  const next = location.pathname + (text ? `?${text}` : '');
  if (next !== location.pathname + location.search) history.replaceState(history.state, '', next);
}

/**
 * A server-paged list behind a filter form: `form` is what is typed, `filter` what was applied (submitting
 * goes back to page 1). `path` gets the filter, page and size as its query.
 */
export function usePagedList<F extends Record<string, string>, T = any>(path: string, initial: F, params: (f: F) => Record<string, unknown> = (f) => f, size = 50, pageKey = 'page') {
  // The filters applied and the page come from the address and go back to it: a reload or a bookmark shows the same
  // list. A page with two paged lists gives the second its own `pageKey` (and filter names) in the address.
  const [start] = useState(() => ({ filter: queryValues(initial), page: queryPage(pageKey) }));
  const [form, setForm] = useState(start.filter);
  const [filter, setFilter] = useState(start.filter);
  const [page, setPage] = useState(start.page);
  useEffect(() => writeQuery({ ...filter, [pageKey]: page === 1 ? undefined : page }), [filter, page]);
  const list = useLoad<PageOf<T>>(() => api('GET', `${path}${query({ ...params(filter), page, size })}`), [path, filter, page]);
  const set = (k: keyof F) => (e: any) => setForm({ ...form, [k]: e.currentTarget.value });
  // Applying the same filters again reads the list again (a copy of the form is a new filter): an operator presses
  // "Apply filters" to see what happened since, as CVSecurity's Search does.
  const apply = (e?: Event) => {
    e?.preventDefault();
    setPage(1);
    setFilter({ ...form });
  };
  return { form, setForm, set, filter, params: params(filter), apply, page, setPage, list };
}

/** A paged list's text filters (`fields`: form key, label) with its Search button; Enter in a field searches too. */
export function SearchFilters<F extends Record<string, string>>({ label, fields, list }: { label: string; fields: Array<[keyof F & string, string]>; list: { form: F; set: (k: keyof F) => (e: any) => void; apply: (e?: Event) => void } }) {
  return (
    <form class="row" role="search" aria-label={label} onSubmit={list.apply}>
      {fields.map(([k, l]) => (
        <Field key={k} label={l}>
          <input name={k} value={list.form[k]} onInput={list.set(k)} />
        </Field>
      ))}
      <button type="submit">Search</button>
    </form>
  );
}

/** The table of a paged list, its pager, and its error in words. */
export function PagedTable<T>({ list, setPage, ...table }: { list: { data?: PageOf<T>; error?: unknown }; setPage: (p: number) => void; columns: Array<Column<T> | false>; empty: string; label?: string; id?: string; rowKey: (row: T) => string }) {
  if (list.error) return <Notice error={list.error} />;
  if (!list.data) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <DataTable {...table} rows={list.data.rows} />
      <Pager page={list.data.page} size={list.data.size} total={list.data.total} more={list.data.more} onPage={setPage} />
    </>
  );
}

/** The time, person and device filters every event list shares (`from`, `to`, `pin`, `sn`). */
export function EventFilters({ form, set, devices, pin = true }: { form: Record<string, string>; set: (k: any) => (e: any) => void; devices?: Array<{ sn: string; alias: string }>; pin?: boolean }) {
  return (
    <>
      <Field label="From">
        <input type="datetime-local" name="from" value={form.from} onInput={set('from')} />
      </Field>
      <Field label="To">
        <input type="datetime-local" name="to" value={form.to} onInput={set('to')} />
      </Field>
      {pin && (
        <Field label="Person pin">
          <input name="pin" value={form.pin} onInput={set('pin')} />
        </Field>
      )}
      {devices && (
        <Field label="Device">
          <select name="sn" value={form.sn} onChange={set('sn')}>
            <option value="">all</option>
            {devices.map((d) => (
              <option key={d.sn} value={d.sn}>
                {deviceLabel(d.alias, d.sn)}
              </option>
            ))}
          </select>
        </Field>
      )}
    </>
  );
}

/** A department filter ("all", then each department with its code), as the Persons list and the punches have it. */
/**
 * The code of the default department and of the default area, both seeded as "1" (CVSecurity's root department and
 * area) and never deletable: what a person or level gets when a form leaves the choice alone.
 */
export const DEFAULT_CODE = '1';

/** Whether a department or area list holds the default one (a form then lists it once, as itself). */
export function hasDefault(list: Array<{ code: string }> | undefined): boolean {
  return (list ?? []).some((x) => x.code === DEFAULT_CODE);
}

export function DepartmentFilter({ value, onChange, departments }: { value: string; onChange: (e: any) => void; departments?: Array<{ code: string; name: string }> }) {
  return (
    <Field label="Department">
      <select name="deptCode" value={value} onChange={onChange}>
        <option value="">all</option>
        {(departments ?? []).map((d) => (
          <option key={d.code} value={d.code}>
            {d.name} ({d.code})
          </option>
        ))}
      </select>
    </Field>
  );
}

/** The form values of EventFilters as the API reads them (datetime-local → yyyy-MM-dd HH:mm:ss). */
export function eventParams<F extends Record<string, string>>(f: F): Record<string, unknown> {
  return { ...f, from: fromLocalInput(f.from ?? ''), to: fromLocalInput(f.to ?? '', true) };
}

/**
 * A form or panel a list row's button opens below the list, brought into sight when it opens: with a few devices the
 * list is taller than the window, and a form opened out of sight looks like a button that did nothing. A form's first
 * field takes the focus (so typing goes there, and Escape closes it); a panel is only scrolled to. Called as a ref, so
 * once per element: give the element a key of what it is for, and opening it for another row reveals it again.
 */
export function reveal(el: HTMLElement | null): void {
  if (!el) return;
  const form = el.tagName === 'FORM';
  // A panel still loading grows downwards: its top goes to the top of the window.
  el.scrollIntoView?.({ block: form ? 'nearest' : 'start' });
  if (form) el.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea')?.focus({ preventScroll: true });
}

/**
 * Escape in a form opened inline (an edit or add form in a list) closes it as its Cancel (or Close) button does, as
 * the console's dialogs close on Escape. Not a key pressed in a dialog inside the form (the dialog answers it), nor
 * one something inside already handled (an open date picker).
 */
export function closeOnEscape(close: () => void) {
  return (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing) return;
    if ((e.target as Element | null)?.closest?.('dialog')) return;
    e.preventDefault();
    close();
  };
}

/** A modal confirmation: the native <dialog> traps focus and closes on Escape. */
export function Confirm({ open, title, children, confirmLabel, onConfirm, onCancel, danger }: { open: boolean; title: string; children?: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  // One id per dialog: a page holds several (delete a level, remove a door), each named by its own title.
  const id = useId();
  const titleId = `confirm-title-${id}`;
  const formId = `confirm-form-${id}`;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  // A closed dialog holds nothing: its labels name what is asked about ("Revoke {name}") and, with nothing asked,
  // said "Revoke null" in the page that screen readers read.
  return (
    <dialog ref={ref} aria-labelledby={open ? titleId : undefined} onCancel={(e) => (e.preventDefault(), onCancel())}>
      {/* The question and any field it asks for (a door's open seconds, a leave date) are a form whose submit button is
          the confirm button (outside it, in the footer, by its id): Enter in a field confirms, as the button does, and
          the field's own limits are checked before anything is sent. Its submit goes no further than this dialog. */}
      {open && (
        <article>
          <form
            id={formId}
            onSubmit={(e) => {
              e.preventDefault();
              e.stopPropagation();
              onConfirm();
            }}
          >
            <h3 id={titleId}>{title}</h3>
            {children}
          </form>
          <footer>
            <button type="button" class="secondary" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" form={formId} class={danger ? 'danger' : ''} autofocus>
              {confirmLabel}
            </button>
          </footer>
        </article>
      )}
    </dialog>
  );
}

export function Progress({ label, value, max }: { label: string; value: number; max?: number }) {
  return (
    <div role="status" class="progress">
      <span>{label}</span>
      <progress value={max === undefined ? undefined : value} max={max} aria-label={label} />
    </div>
  );
}

/**
 * A labelled form control. `required` marks it in one place for every console form: a "*" after the label (hidden
 * from screen readers, which hear the control's own required state instead) and `required` with `aria-required` on
 * the control, so the operator sees which fields a save needs before pressing it, not only from the browser's refusal.
 */
export function Field({ label, children, hint, required }: { label: string; children: ComponentChildren; hint?: string; required?: boolean }) {
  const control = required && isValidElement(children) ? cloneElement(children as VNode<any>, { required: true, 'aria-required': 'true' }) : children;
  return (
    <label>
      {label}
      {/* The "*" is the stylesheet's (::after): the label's text stays its words, as forms' messages and tests name it. */}
      {required && <span class="required-mark" aria-hidden="true" title="required" />}
      {control}
      {hint && <small>{hint}</small>}
    </label>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/**
 * An event's level as CVSecurity's monitor marks it: nothing for a normal event, "warning" for a refused access
 * or another exception, "alarm" for a forced door, tamper, duress and the like.
 */
export function LevelBadge({ level }: { level?: number }) {
  if (level === 2) return <Badge tone="bad">alarm</Badge>;
  if (level === 1) return <Badge tone="warn">warning</Badge>;
  return null;
}

export interface Ask {
  title: string;
  question: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  run: () => Promise<unknown> | void;
}

/** One confirmation dialog for a page: `ask` opens it; the action runs only after the operator confirms. */
export function useConfirm() {
  const [pending, setPending] = useState<Ask | null>(null);
  const dialog = (
    <Confirm
      open={!!pending}
      title={pending?.title ?? ''}
      confirmLabel={pending?.confirmLabel ?? ''}
      danger={pending?.danger}
      onCancel={() => setPending(null)}
      onConfirm={() => {
        const p = pending!;
        setPending(null);
        void p.run();
      }}
    >
      {pending && <p>{pending.question}</p>}
    </Confirm>
  );
  return { ask: setPending, dialog };
}

/** A device's state in words: waiting for approval, disabled, online or offline. */
export function AdmissionBadge({ d }: { d: { admission: string; online: boolean; lastSeen?: string | null } }) {
  if (d.admission === 'pending') return <Badge tone="warn">waiting for approval</Badge>;
  if (d.admission === 'disabled') return <Badge tone="muted">disabled</Badge>;
  // Added by SN and never heard from: nothing went wrong with it, it has not been connected yet.
  if (!d.online && d.lastSeen === null) return <Badge tone="muted">not contacted yet</Badge>;
  return d.online ? <Badge tone="ok">online</Badge> : <Badge tone="bad">offline</Badge>;
}

/**
 * A door's, floor's or gate's device connection as the API gives it (`connect`: 1 online, 2 disabled, else
 * offline): a remote action on an offline device is not sent, so the row says so before the button is pressed.
 */
export function ConnectBadge({ connect }: { connect: string }) {
  if (connect === '1') return <Badge tone="ok">online</Badge>;
  if (connect === '2') return <Badge tone="muted">disabled</Badge>;
  return <Badge tone="muted">offline</Badge>;
}

/**
 * A device's kind in words, as CVSecurity's modules name them (Access, Attendance, FaceKiosk, Elevator, Entrance
 * Control): a message about an attendance terminal must not call it a panel.
 */
const KIND_NAMES: Record<string, string> = {
  acc: 'Access panel',
  att: 'Attendance terminal',
  facekiosk: 'FaceKiosk',
  ele: 'Elevator controller',
  psg: 'Channel controller',
};
export const kindName = (kind: string | null | undefined): string => KIND_NAMES[kind ?? ''] ?? 'Device';
/** The same in a title's middle ("Reboot panel", "Disable attendance terminal"): an access panel is the panel. */
export const kindWord = (kind: string | null | undefined): string => (kind === 'acc' ? 'panel' : kind === 'facekiosk' ? 'FaceKiosk' : kindName(kind).toLowerCase());

/** The columns every device table starts with: SN, name, state, model and firmware, address, last seen. */
export const DEVICE_COLUMNS: Array<Column<any>> = [
  { head: 'SN', cell: (d) => d.sn },
  { head: 'Name', cell: (d) => d.alias },
  { head: 'State', cell: (d) => <AdmissionBadge d={d} /> },
  { head: 'Model / firmware', cell: (d) => `${d.type ?? ''} ${d.firmVer ?? ''}` },
  { head: 'Address', cell: (d) => d.ipAddress },
  { head: 'Last seen', cell: (d) => d.lastSeen },
];

/**
 * Whether the device holds what the gateway says it should, from its convergence (the Convergence button has
 * the detail): items confirmed by its Return codes against items desired.
 */
export function SyncBadge({ d }: { d: any }) {
  const c = d.sync;
  if (d.admission !== 'admitted') return <small>not admitted</small>;
  // Added by SN and never heard from: it is sent everything when it first registers, nothing is "in sync" yet.
  if (d.lastSeen === null) return <small>sent everything at its first contact</small>;
  if (!c) return <small>not checked</small>;
  // A device owed nothing (no person with a level on it yet) read "0 of 0 confirmed", which looks like a failure.
  const counts = c.desiredItems === 0 ? 'nothing it should hold' : `${c.confirmedItems} of ${c.desiredItems} confirmed`;
  // Work owed and not yet tried (the full sync an approval owes, queued a moment later) is no failure: what
  // the device lacks is on its way. Anything else the convergence calls divergent is.
  const onlyOwed = c.owedUntried && c.failingItems === 0 && c.unconfirmedItems === 0;
  if (c.divergent && onlyOwed) return <Badge tone="warn">syncing, {c.owed.includes('full') ? 'a full sync' : 'an update'} being queued: {counts}</Badge>;
  // A full device is said so: no retry makes room, the operator must (the reasons are in the convergence view).
  const full = (c.failing ?? []).find((f: any) => f.reason === 'capacity');
  if (c.divergent && full) return <Badge tone="bad">device full (Return {full.returnCode}, {full.items} {full.items === 1 ? 'item' : 'items'} refused): {counts}</Badge>;
  if (c.divergent) return <Badge tone="bad">divergent: {counts}</Badge>;
  // What it lacks, it lacks because its firmware refused it for good: nothing sends it before the refusal's probe.
  if (c.state === 'refused') return <Badge tone="bad">refused by the firmware: {refusalsText(c.refusals)}; {counts}</Badge>;
  // An offline device fetches nothing: its commands wait in the queue, they are not being synced.
  // Commands queued for a device that confirmed everything (a full sync asked of it) are waiting too: not "in sync" alone.
  const commands = `${c.pendingCommands} command${c.pendingCommands === 1 ? '' : 's'}`;
  if ((c.unconfirmedItems > 0 || c.pendingCommands > 0) && !d.online) return <Badge tone="warn">waiting for the device, offline{c.pendingCommands > 0 ? `, ${commands} queued` : ''}: {counts}</Badge>;
  if (c.unconfirmedItems > 0) return <Badge tone="warn">{c.pendingCommands > 0 ? `syncing, ${commands} waiting` : 'not confirmed yet'}: {counts}</Badge>;
  // A full sync of a device that had confirmed everything: its clear may already have run, so not "in sync" at all.
  if (c.pendingCommands > 0) return <Badge tone="warn">syncing, {commands} waiting: {counts}</Badge>;
  // An attendance terminal that initialised again (a reboot, a reset) or was asked for its count: what it confirmed is
  // in doubt until its next INFO's user count is judged (a reset terminal holds none of it), so not "in sync" yet.
  if (c.state === 'pending' && c.owed.includes('count')) return <Badge tone="warn">checking, its user count is owed (judged at its next INFO): {counts}</Badge>;
  if (c.desiredItems === 0) return <Badge tone="ok">in sync, nothing to send</Badge>;
  return <Badge tone="ok">in sync: {counts}</Badge>;
}

/** Template types (the PUSH protocol's Type numbers) in an operator's words: "type 9" says nothing at the desk. */
const BIO_TYPE_WORDS = ['', 'fingerprint', 'near-infrared face', 'voiceprint', 'iris', 'retina', 'palm print', 'finger vein', 'palm vein', 'visible-light face', 'visible-light palm'];

type CannotHold = { what: string; cardNos: string[]; templates?: Array<{ bioType: number; templateNo: number }>; reason: string };

/** What of a person a device cannot hold (one cannotHold entry), without the why: "visible-light face template No 0". */
export function cannotHoldWhat(c: CannotHold): string {
  if (c.what !== 'templates') return `${c.cardNos.length === 1 ? 'secondary card' : 'secondary cards'} ${c.cardNos.join(', ')}`;
  return (c.templates ?? []).map((x) => `${BIO_TYPE_WORDS[x.bioType] || `type ${x.bioType}`} template No ${x.templateNo}`).join(', ');
}

/** What the device cannot hold of a person (the sync status API's cannotHold), each with why. */
export function cannotHoldText(items: CannotHold[]): string {
  return items.map((c) => `${cannotHoldWhat(c)}: ${c.reason}`).join('; ');
}

/** A person as an operator knows them, with the pin the devices know: "Ada Lovelace (9501)", the pin alone without a name. */
export function personLabel(p: { pin: string; name?: string | null; lastName?: string | null }): string {
  const name = [p.name, p.lastName].filter(Boolean).join(' ');
  return name ? `${name} (${p.pin})` : p.pin;
}

/** Refusals for good keeping items off a device, in words: "DATA UPDATE biodata Type=9 (Return -1004, 1 item, probed again 2026-11-28 10:00:00)". */
export function refusalsText(refusals: Array<{ what: string; returnCode: number | null; probeAt: string | null; items?: number }>): string {
  return refusals
    .map((r) => `${r.what} (${[r.returnCode === null ? null : `Return ${r.returnCode}`, r.items === undefined ? null : `${r.items} ${r.items === 1 ? 'item' : 'items'}`, r.probeAt ? `probed again ${r.probeAt}` : null].filter(Boolean).join(', ')})`)
    .join('; ');
}

/** The reasons of what a device refused, in words. */
const REASON_WORDS: Record<string, string> = { capacity: 'device full', data: 'data it cannot take', unsupported: 'not supported by the firmware', transient: 'transient' };

/** Refused items by reason: "device full: Return -18 The device has insufficient space, 3 items; transient: no result, 1 item". */
export function failingText(failing: Array<{ reason: string; returnCode: number | null; meaning: string | null; items: number }>): string {
  return failing
    .map((f) => `${REASON_WORDS[f.reason] ?? f.reason}: ${[f.returnCode === null ? null : `Return ${f.returnCode}`, f.meaning].filter(Boolean).join(' ')}, ${f.items} ${f.items === 1 ? 'item' : 'items'}`)
    .join('; ');
}

/**
 * Owed work in an operator's words; the API's code (OwedWorkDto.kind) stays in the element's title. `full`: a full
 * sync; `verify`: its data checked against ours again (a panel that registered again); `count`: an attendance
 * terminal's user count, judged from its next INFO.
 */
const OWED_WORDS: Record<string, string> = { full: 'Full sync', verify: 'Data check', count: 'User count check' };
export function owedName(kind: string): string {
  return OWED_WORDS[kind] ?? kind;
}

/** A link to a device's convergence on the Devices page (`/console/devices/SN`), followed in place. */
export function ConvergenceLink({ sn, go, children }: { sn: string; go: Go; children: ComponentChildren }) {
  const path = `devices/${encodeURIComponent(sn)}`;
  return (
    <a href={`/console/${path}`} onClick={(e) => go(path, e)} aria-label={`Convergence of ${sn}`}>
      {children}
    </a>
  );
}

/**
 * A set of checkboxes (a person's access or elevator levels, a level's floors): `ticked` holds the ids ticked, and
 * `onChange` gets the set after a tick or an untick.
 */
export function Ticks({ name, options, ticked, onChange }: { name: string; options: Array<{ id: string; label: string }>; ticked: string[]; onChange: (ticked: string[]) => void }) {
  return (
    <>
      {options.map((o) => (
        <label key={o.id}>
          <input type="checkbox" name={name} value={o.id} checked={ticked.includes(o.id)} onChange={(e) => onChange(e.currentTarget.checked ? [...ticked, o.id] : ticked.filter((x) => x !== o.id))} />
          {o.label}
        </label>
      ))}
    </>
  );
}

/** The two submit buttons of a "persons of a level" form (the form reads which one by the submitter's value: add or remove). */
export function AddRemovePersons() {
  return (
    <>
      <button type="submit" value="add">
        Add persons
      </button>
      <button type="submit" value="remove" class="secondary">
        Remove persons
      </button>
    </>
  );
}
