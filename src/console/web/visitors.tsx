import { useEffect, useState } from 'preact/hooks';
import { api, fromLocalInput, localInput, query, toLocalInput } from './api';
import type { Me } from './main';
import { Badge, can, DataTable, Field, Notice, Pager, queryPage, queryValues, offlineHoldersNote, offlineReceiversNote, useAction, useConfirm, useEvery, useLoad, useReloadWhileWaiting, writeQuery, closeOnEscape } from './ui';

/**
 * The document types as the manual numbers them (2.15.1, 2.17.1): the code is what an integrator sends to
 * `visRegistration/exit` and `visReservation/del` for the same visitor, so a label on the wrong code would check a
 * passport holder in under a number their visitor system cannot find them by.
 */
const CERT_TYPES: Array<[string, string]> = [
  ['2', 'National ID card'],
  ['3', 'Passport'],
  // The manual names 4 and 7 both a driver's/driving licence: the code tells them apart (the visitor system finds the
  // visitor by it at check-out).
  ['4', "Driver's licence (code 4)"],
  ['5', 'Work permit'],
  ['6', 'Real-name card'],
  ['7', 'Driving licence (code 7)'],
  ['8', 'Other'],
];
const certName = (code: string) => CERT_TYPES.find(([v]) => v === String(code))?.[1] ?? `type ${code}`;

/** The host as a receptionist knows them, with the pin the API uses. */
const hostOf = (v: { hostPin: string; hostName?: string | null }) => (v.hostName ? `${v.hostName} (${v.hostPin})` : v.hostPin);

function VisitorForm({ kind, timeZone, onDone, onCancel, reservation, levelsRev }: { kind: 'checkin' | 'reserve'; timeZone?: string; onDone: (done: string) => void; onCancel: () => void; reservation?: any; levelsRev: number }) {
  const now = new Date();
  const start = localInput(now, timeZone);
  const fourHours = localInput(new Date(now.getTime() + 4 * 3600_000), timeZone);
  // A reserved visitor who arrives is checked in from their reservation (CVSecurity's way): what was reserved is
  // filled in, and the gateway ties the visit to the reservation; the visit starts now and ends when reserved.
  const reservedEnd = reservation ? toLocalInput(reservation.visitEndDate) : '';
  const [f, setF] = useState({
    visEmpName: reservation?.name ?? '',
    // "Other" unless the operator picks one: a national ID card (2) must be a valid ID number (-251), which a
    // visitor from abroad does not carry.
    certType: reservation?.certType ?? '8',
    certNum: reservation?.certNum ?? '',
    persPersonPin: reservation?.hostPin ?? '',
    visitReason: reservation?.reason ?? '',
    company: reservation?.company ?? '',
    visitorCount: '1',
    cardNo: '',
    start,
    end: reservedEnd > start ? reservedEnd : fourHours,
  });
  // A visitor opens doors with a card and the visitor levels given at check-in (2.17.1 cardNo, visLevels).
  const [levelIds, setLevelIds] = useState<string[]>([]);
  // The levels offered change under an open form: on this page's Visitor levels (levelsRev), or by another operator or
  // a level added or renamed meanwhile (read again every 10 s). A chosen level no longer offered is unchosen, or the
  // check-in would give the visitor a level the form no longer shows.
  const levels = useLoad(() => (kind === 'checkin' ? api('GET', 'visitors/levels') : Promise.resolve([])), [levelsRev]);
  useEvery(10_000, () => kind === 'checkin' && levels.reload());
  useEffect(() => {
    const offered = new Set(((levels.data ?? []) as any[]).map((l) => l.id));
    if (levels.data) setLevelIds((ids) => (ids.every((id) => offered.has(id)) ? ids : ids.filter((id) => offered.has(id))));
  }, [levels.data]);
  const a = useAction();
  const set = (k: keyof typeof f) => (e: any) => setF({ ...f, [k]: e.currentTarget.value });
  async function submit(e: Event) {
    e.preventDefault();
    const base = { visEmpName: f.visEmpName, certType: f.certType, certNum: f.certNum, persPersonPin: f.persPersonPin, visitReason: f.visitReason, company: f.company || undefined };
    const body = kind === 'checkin' ? { ...base, visitorCount: f.visitorCount, cardNo: f.cardNo.trim() || undefined, visLevels: levelIds.length ? levelIds.join(',') : undefined, startTime: fromLocalInput(f.start), endTime: fromLocalInput(f.end) } : { ...base, visitDate: fromLocalInput(f.start), visitEndDate: fromLocalInput(f.end) };
    // Checked in is the gateway's record; the card opens doors once the panels took it: say which it is.
    const opensDoors = !!f.cardNo.trim() && levelIds.length > 0;
    // A panel of those levels that is offline gets the card only when it polls again: named (the answer's offlineReceivers).
    const done = (r: any) =>
      kind === 'checkin' ? `${f.visEmpName} checked in${opensDoors ? `; the panels of their visitor levels are sent the card${offlineReceiversNote(r, 'it')}` : ': without a card and a visitor level no door opens for them'}` : `Reservation for ${f.visEmpName} saved`;
    const r = await a.run(() => api('POST', kind === 'checkin' ? 'visitors/checkin' : 'visitors/reservations', body), done);
    // The form closes: the page keeps the confirmation in view.
    if (r !== undefined) onDone(done(r));
  }
  return (
    <form onSubmit={submit} onInvalidCapture={a.invalid} onKeyDown={closeOnEscape(onCancel)} aria-label={kind === 'checkin' ? 'Check a visitor in' : 'Reserve a visit'}>
      <div class="row">
        <Field required label="Visitor name">
          <input name="visEmpName" maxLength={100} value={f.visEmpName} onInput={set('visEmpName')} />
        </Field>
        <Field label="Document">
          <select name="certType" value={f.certType} onChange={set('certType')}>
            {CERT_TYPES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </Field>
        <Field required label="Document number">
          <input name="certNum" maxLength={64} value={f.certNum} onInput={set('certNum')} />
        </Field>
        <Field required label="Host (pin or name)">
          <input name="persPersonPin" maxLength={64} value={f.persPersonPin} onInput={set('persPersonPin')} />
        </Field>
      </div>
      <div class="row">
        <Field required label="Reason">
          <input name="visitReason" maxLength={255} value={f.visitReason} onInput={set('visitReason')} />
        </Field>
        <Field label="Company">
          <input name="company" maxLength={100} value={f.company} onInput={set('company')} />
        </Field>
        {kind === 'checkin' && (
          <Field required label="Number of visitors">
            <input name="visitorCount" type="number" min={1} max={99} value={f.visitorCount} onInput={set('visitorCount')} />
          </Field>
        )}
        {kind === 'checkin' && (
          <Field label="Card number">
            <input name="cardNo" maxLength={64} value={f.cardNo} onInput={set('cardNo')} />
          </Field>
        )}
        <Field required label="From">
          <input name="start" type="datetime-local" step={1} value={f.start} onInput={set('start')} />
        </Field>
        <Field required label="Until">
          <input name="end" type="datetime-local" step={1} value={f.end} onInput={set('end')} />
        </Field>
      </div>
      {kind === 'checkin' && (
        <fieldset>
          <legend>Visitor levels</legend>
          <div class="checks">
            {(levels.data ?? []).map((l: any) => (
              <label key={l.id}>
                <input
                  type="checkbox"
                  name="visLevel"
                  value={l.id}
                  checked={levelIds.includes(l.id)}
                  onChange={(e) => setLevelIds(e.currentTarget.checked ? [...levelIds, l.id] : levelIds.filter((x) => x !== l.id))}
                />
                {l.name}
              </label>
            ))}
            {levels.data?.length === 0 && <small>No levels yet: create one on the Access levels page.</small>}
          </div>
        </fieldset>
      )}
      <Notice error={a.error} ok={a.ok} />
      {/* An operator who opened the form for nobody (or for the wrong arrival) closes it unsent. */}
      <div class="row">
        <button type="submit" aria-busy={a.busy} disabled={a.busy}>
          {kind === 'checkin' ? 'Check in' : 'Reserve'}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * When the visit ran: from its start until the visitor was checked out (or until its planned end, while on site
 * and when it expired). A visitor checked out before the visit's start never began it: the check-out time is
 * told as such, not as an end before the start.
 */
export function visitSpan(v: { startTime: string; endTime: string; endedAt: string | null; state: string }): string {
  // Both are the server's `yyyy-MM-dd HH:mm:ss` wall clocks, which compare as text.
  if (v.state === 'out' && v.endedAt && v.endedAt < v.startTime) return `checked out ${v.endedAt}, before its start (${v.startTime} – ${v.endTime})`;
  return `${v.startTime} – ${v.state === 'out' && v.endedAt ? v.endedAt : v.endTime}`;
}

/**
 * Whether the panels of a visit's levels hold the visitor (the list API's `sync`, from the same per-device states
 * as a person's Panels table): on site, pending until every panel confirmed; after check-out, removed only once
 * every panel confirmed letting them go.
 */
function VisitSyncBadge({ s, ended }: { s: { state: string; devices: number; pending: number; refused: number }; ended: boolean }) {
  const panels = (n: number) => `${n} panel${n === 1 ? '' : 's'}`;
  if (s.state === 'removed') return <Badge tone="muted">removed from the panels</Badge>;
  if (s.state === 'none') return <Badge tone="muted">no panel</Badge>;
  if (s.state === 'refused') return <Badge tone="bad">refused on {panels(s.refused)}{s.pending ? `, pending on ${s.pending}` : ''}</Badge>;
  if (s.state === 'pending') return <Badge tone="warn">{ended ? 'removal ' : ''}pending on {panels(s.pending)} of {s.devices}</Badge>;
  return <Badge tone="ok">on {panels(s.devices)}</Badge>;
}

export function VisitorsPage({ me }: { me: Me }) {
  // The list shown (state, search, page) is in the address too: a reload shows the same visits.
  const [start] = useState(() => queryValues({ state: '', q: '' }));
  const [state, setState] = useState(start.state);
  const [q, setQ] = useState(start.q);
  const [search, setSearch] = useState(start.q);
  // The visits come a page at a time (20, newest first): without the pager and the search, a visitor checked in
  // before the last 20 visits could be neither seen nor checked out here.
  const [page, setPage] = useState(queryPage);
  useEffect(() => writeQuery({ state, q: search, page }), [state, search, page]);
  const list = useLoad(() => api('GET', `visitors${query({ state, q: search, page, size: 20 })}`), [state, search, page]);
  // While a visit's panels have not all confirmed (the visitor's card on its way, or its removal), read the page
  // again every 2 s: "pending" turns to "on the panels" or "removed from the panels" as they answer.
  useReloadWhileWaiting(list, (d: any) => d.visits.some((v: any) => v.sync?.state === 'pending'));
  const [form, setForm] = useState<'checkin' | 'reserve' | null>(null);
  // Bumped when the Visitor levels section changes what is offered: the check-in form reads its levels again.
  const [levelsRev, setLevelsRev] = useState(0);
  const [arriving, setArriving] = useState<any>(null);
  const a = useAction();
  // Checking out takes the visitor's card off the panels and cancelling drops the reservation: neither can be undone here.
  const confirm = useConfirm();
  const mayAct = can(me.role, 'operator');
  async function checkout(v: any) {
    await a.run(() => api('POST', 'visitors/checkout', { certType: v.certType, certNum: v.certNum }), (r) => `${v.name} checked out${v.cardNo ? `; the panels are told to remove their card${offlineHoldersNote(r, 'their card')}` : ''}`);
    list.reload();
  }
  async function cancel(r: any) {
    await a.run(() => api('POST', 'visitors/reservations/cancel', { certType: r.certType, certNum: r.certNum, visitDate: r.visitDate }), `Reservation of ${r.name} cancelled`);
    list.reload();
  }
  return (
    <>
      {mayAct && (
        <div class="row">
          <button type="button" onClick={() => (setArriving(null), setForm('checkin'))}>
            Check a visitor in
          </button>
          <button type="button" class="secondary" onClick={() => (setArriving(null), setForm('reserve'))}>
            Reserve a visit
          </button>
        </div>
      )}
      {form && (
        <VisitorForm key={`${form}-${arriving?.certNum ?? ''}-${arriving?.visitDate ?? ''}`} kind={form} levelsRev={levelsRev} reservation={arriving ?? undefined} timeZone={me.timeZone} onDone={(m) => (setForm(null), setArriving(null), a.setError(undefined), a.setOk(m), list.reload())} onCancel={() => (setForm(null), setArriving(null))} />
      )}
      {/* One status line: the latest action's outcome (a check-in made after a check-out replaces its message). */}
      <Notice error={a.error || list.error} ok={a.ok} />
      <h2>Visits</h2>
      <form
        class="row"
        role="search"
        aria-label="Find visits"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setSearch(q);
          // The same search again reads the list again: a visitor checked in since shows.
          list.reload();
        }}
      >
        <Field label="Visitor name or document number">
          <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <Field label="Show">
          <select value={state} onChange={(e) => (setPage(1), setState(e.currentTarget.value))}>
            <option value="">all visits</option>
            <option value="in">on site</option>
            <option value="out">left</option>
          </select>
        </Field>
        <button type="submit">Search</button>
      </form>
      {list.data && (
        <table aria-label="Visits">
          <thead>
            <tr>
              <th scope="col">Visitor</th>
              <th scope="col">Document</th>
              <th scope="col">Host</th>
              <th scope="col">Card</th>
              <th scope="col">From – until</th>
              <th scope="col">State</th>
              <th scope="col">Panels</th>
              {mayAct && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.visits.map((v: any) => (
              <tr key={`${v.visitorPin}-${v.startTime}`}>
                <td>
                  {v.name} {v.company ? `(${v.company})` : ''}
                </td>
                <td>
                  {certName(v.certType)} {v.certNum}
                </td>
                <td>{hostOf(v)}</td>
                <td>{v.cardNo}</td>
                <td>{visitSpan(v)}</td>
                <td>{v.state === 'in' ? <Badge tone="ok">on site</Badge> : <Badge tone="muted">{v.state === 'out' ? 'left' : v.state}</Badge>}</td>
                <td>{v.sync && <VisitSyncBadge s={v.sync} ended={v.state !== 'in'} />}</td>
                {mayAct && (
                  <td>
                    {v.state === 'in' && (
                      <button type="button" class="small" onClick={() => confirm.ask({ title: 'Check out visitor', confirmLabel: `Check out ${v.name}`, question: `Check ${v.name} out now? The panels are told to remove their card; a panel that is offline keeps it until it polls again.`, run: () => checkout(v) })} aria-label={`Check out ${v.name}`}>
                        Check out
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
            {list.data.visits.length === 0 && (
              <tr>
                <td colSpan={8}>No visits.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {list.data && <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />}
      <h2>Reservations</h2>
      {list.data && (
        <table aria-label="Reservations">
          <thead>
            <tr>
              <th scope="col">Visitor</th>
              <th scope="col">Document</th>
              <th scope="col">Host</th>
              <th scope="col">When</th>
              {mayAct && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.reservations.map((r: any) => (
              <tr key={`${r.certNum}-${r.visitDate}`}>
                <td>{r.name}</td>
                <td>
                  {certName(r.certType)} {r.certNum}
                </td>
                <td>{hostOf(r)}</td>
                <td>
                  {r.visitDate} – {r.visitEndDate}
                </td>
                {mayAct && (
                  <td>
                    <div class="actions">
                      <button type="button" class="small" onClick={() => (setArriving(r), setForm('checkin'))} aria-label={`Check in ${r.name} from the reservation`}>
                        Check in
                      </button>
                      <button type="button" class="small secondary" onClick={() => confirm.ask({ title: 'Cancel reservation', confirmLabel: `Cancel the visit of ${r.name}`, danger: true, question: `Cancel the reservation of ${r.name} for ${r.visitDate}? It is removed; a new one must be made for another visit.`, run: () => cancel(r) })} aria-label={`Cancel reservation of ${r.name}`}>
                        Cancel
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
            {list.data.reservations.length === 0 && (
              <tr>
                <td colSpan={5}>No open reservations.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <VisitorLevels mayAct={mayAct} a={a} onChanged={() => setLevelsRev((r) => r + 1)} />
      {confirm.dialog}
    </>
  );
}

const LEVEL_KINDS: Record<string, string> = { access: 'access level (doors)', elevator: 'elevator level (floors)', entrance: 'entrance-control level (gates)' };

/**
 * CVSecurity's Visitor > Visitor Levels: which levels the check-in form offers. Every level is, until an operator
 * offers some (then only those); withdrawing the last one offers every level again. Visits checked in keep theirs.
 */
function VisitorLevels({ mayAct, a, onChanged }: { mayAct: boolean; a: ReturnType<typeof useAction>; onChanged: () => void }) {
  const c = useLoad(() => api('GET', 'visitors/level-choices'), []);
  async function change(l: any, how: 'offer' | 'withdraw') {
    const r = await a.run(
      () => api('POST', `visitors/levels/${how}`, { levelIds: [l.id] }),
      (d: any) =>
        how === 'offer'
          ? `${l.name} is offered to visitors${d.levels.filter((x: any) => x.offered).length === 1 ? ' (the only level offered now)' : ''}`
          : d.narrowed
            ? `${l.name} is no longer offered to visitors`
            : `${l.name} withdrawn: no level was chosen any more, so every level is offered to visitors again`,
    );
    // The open check-in form offers the new set at once.
    if (r !== undefined) (c.reload(), onChanged());
  }
  return (
    <section aria-labelledby="vis-levels-h">
      <h2 id="vis-levels-h">Visitor levels</h2>
      <p>
        <small>
          {c.data?.narrowed
            ? 'The check-in form offers the levels marked offered; visits already checked in keep theirs.'
            : 'Every level is offered to visitors until you choose some: "Offer only this" makes the check-in form offer that level alone, and you add others after it.'}
        </small>
      </p>
      {c.error && <Notice error={c.error} />}
      {c.data && (
        <DataTable
          label="Visitor levels"
          rows={c.data.levels}
          rowKey={(l: any) => l.id}
          empty="No levels yet: create one on the Access levels page."
          columns={[
            { head: 'Level', cell: (l: any) => l.name },
            { head: 'Kind', cell: (l: any) => LEVEL_KINDS[l.kind] ?? l.kind },
            { head: 'Offered to visitors', cell: (l: any) => (l.offered ? <Badge tone="ok">offered</Badge> : <Badge tone="muted">not offered</Badge>) },
            mayAct && { head: 'Action', cell: (l: any) => <LevelOfferButton l={l} narrowed={c.data.narrowed} change={change} /> },
          ]}
        />
      )}
    </section>
  );
}

/** Before any level is chosen, offering one narrows the set to it ("Offer only this"); after, each is offered or withdrawn. */
function LevelOfferButton({ l, narrowed, change }: { l: any; narrowed: boolean; change: (l: any, how: 'offer' | 'withdraw') => void }) {
  if (!narrowed)
    return (
      <button type="button" class="small secondary" onClick={() => change(l, 'offer')} aria-label={`Offer only ${l.name} to visitors`}>
        Offer only this
      </button>
    );
  const how = l.offered ? 'withdraw' : 'offer';
  return (
    <button type="button" class={l.offered ? 'small secondary' : 'small'} onClick={() => change(l, how)} aria-label={l.offered ? `Withdraw ${l.name} from visitors` : `Offer ${l.name} to visitors`}>
      {l.offered ? 'Withdraw' : 'Offer'}
    </button>
  );
}
