import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, fromLocalInput, localInput, query } from './api';
import type { PageProps } from './main';
import { Badge, can, cannotHoldWhat, DataTable, DEVICE_COLUMNS, failingText, kindName, kindWord, owedName, refusalsText, SyncBadge, Field, followCommand, Notice, Pager, Progress, useAction, useConfirm, useEvery, useLoad, useReloadWhileWaiting, personLabel, closeOnEscape, reveal } from './ui';

/** The device's command queue with Return codes and their meanings, and how much of a full sync is still to go. */
function CommandQueue({ sn, canClear }: { sn: string; canClear: boolean }) {
  const [page, setPage] = useState(1);
  const a = useAction();
  const confirm = useConfirm();
  const [state, setState] = useState('');
  const q = useLoad(() => api('GET', `devices/${encodeURIComponent(sn)}/commands${query({ page, state, size: 20 })}`), [sn, page, state]);
  // While commands wait, refresh every 2 s: the progress bar follows the panel working through them.
  useReloadWhileWaiting(q, (d: any) => d.progress.pending + d.progress.sent > 0);
  if (q.error) return <Notice error={q.error} />;
  if (!q.data) return <p aria-busy="true">Loading…</p>;
  const p = q.data.progress;
  const waiting = p.pending + p.sent;
  /**
   * CVSecurity's Clear commands: what the device has not fetched is removed, what it fetched waits for its Return.
   * The message says what that leaves: sync commands removed leave the device divergent until a Full sync.
   */
  async function clear() {
    await a.run(
      () => api('POST', `devices/${encodeURIComponent(sn)}/commands/clear`),
      (r: any) =>
        `${r.cleared} command${r.cleared === 1 ? '' : 's'} not yet fetched by ${sn} cleared` +
        (r.awaitingReturn > 0 ? `; ${r.awaitingReturn} already fetched still wait for its Return` : '') +
        (r.syncCleared > 0 ? `; ${r.syncCleared} carried data it should hold: it does not hold them and reads divergent until a Full sync` : '') +
        (r.fullSyncStopped ? '; the full sync under way is stopped' : '') +
        (r.verifyOwed ? '; its user count is asked again' : ''),
    );
    q.reload();
  }
  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">Command queue of {sn}</h2>
      <Notice error={a.error} ok={a.ok} />
      {waiting > 0 ? <Progress label={`${waiting} command${waiting === 1 ? '' : 's'} still to go`} value={p.done} max={p.done + waiting} /> : <p>Nothing waiting. {p.done} done, {p.failed} failed.</p>}
      {canClear && p.pending > 0 && (
        <button
          type="button"
          class="secondary outline"
          aria-label={`Clear commands of ${sn}`}
          onClick={() =>
            confirm.ask({
              title: 'Clear commands',
              confirmLabel: 'Clear commands',
              danger: true,
              question: `Remove the commands ${sn} has not fetched yet? Those it fetched stay until it answers. Data they carried does not reach it: it reads divergent until a Full sync.`,
              run: clear,
            })
          }
        >
          Clear commands
        </button>
      )}
      {confirm.dialog}
      <div class="row">
        <Field label="State">
          <select value={state} onChange={(e) => (setPage(1), setState(e.currentTarget.value))}>
            <option value="">all</option>
            <option value="pending">pending</option>
            <option value="sent">sent</option>
            <option value="done">done</option>
            <option value="failed">failed</option>
          </select>
        </Field>
      </div>
      <DataTable
        label={`Command queue of ${sn}`}
        rows={q.data.rows}
        rowKey={(c: any) => c.id}
        empty="No command."
        columns={[
          { head: 'CmdID', cell: (c: any) => c.cmdId ?? '—' },
          { head: 'Command', cell: (c: any) => <code>{c.command}</code> },
          { head: 'State', cell: (c: any) => <Badge tone={c.state === 'done' ? 'ok' : c.state === 'failed' ? 'bad' : 'warn'}>{c.state}</Badge> },
          // CVSecurity's Device Commands list: when it was submitted and when its result came.
          { head: 'Queued', cell: (c: any) => c.createdAt },
          { head: 'Sent', cell: (c: any) => c.sentAt ?? '' },
          { head: 'Answered', cell: (c: any) => c.doneAt ?? '' },
          { head: 'Return', cell: (c: any) => c.returnCode ?? '' },
          // A done command's error is what its answer lacked (a Get transactions whose records did not all come).
          { head: 'Meaning', cell: (c: any) => (c.state === 'done' && c.error ? `${c.returnMeaning ?? 'Successful'}; ${c.error}` : c.returnMeaning ?? c.error ?? '') },
          { head: 'Tries', cell: (c: any) => c.attempts },
        ]}
      />
      <Pager page={q.data.page} size={q.data.size} total={q.data.total} onPage={setPage} />
    </section>
  );
}

/** A name=value list as a two-column table. */
function ValueTable({ label, rows, empty }: { label: string; rows: Array<{ name: string; value: string; reportedAt?: string | null }>; empty: string }) {
  const dated = rows.some((r) => r.reportedAt);
  return (
    <DataTable
      label={label}
      rows={rows}
      rowKey={(r) => r.name}
      empty={empty}
      columns={[{ head: 'Option', cell: (r) => <code>{r.name}</code> }, { head: 'Value', cell: (r) => r.value }, dated && { head: 'Reported', cell: (r) => r.reportedAt ?? '' }]}
    />
  );
}

/**
 * CVSecurity's device parameters: what the device declared when it registered, the options it reported since and,
 * for an attendance terminal, its INFO; an operator asks it to report them again (a panel's GET OPTIONS, a
 * terminal's INFO), followed to its Return, then the view reads again.
 */
function Options({ d, canAsk }: { d: any; canAsk: boolean }) {
  const sn = d.sn;
  const o = useLoad(() => api('GET', `devices/${encodeURIComponent(sn)}/options`), [sn]);
  const a = useAction();
  const terminal = ['att', 'facekiosk'].includes(d.kind);
  async function ask() {
    const who = kindWord(d.kind);
    const label = 'Get options';
    const r = await a.run(() => api('POST', `devices/${encodeURIComponent(sn)}/options`), `${label}: ${sn} is asked for its options, waiting for the ${who}`);
    if (r?.commandId) await followCommand(a, sn, r.commandId, { label, target: sn, device: who }, o.reload);
  }
  if (o.error) return <Notice error={o.error} />;
  if (!o.data) return <p aria-busy="true">Loading…</p>;
  const x = o.data;
  return (
    <section aria-labelledby="opts-h">
      <h2 id="opts-h">Options of {sn}</h2>
      <Notice error={a.error} ok={a.ok} />
      {canAsk && d.admission === 'admitted' && (
        <button type="button" class="secondary outline" aria-label={`Get options of ${sn}`} aria-busy={a.busy} disabled={a.busy} onClick={ask}>
          Get options
        </button>
      )}
      <h3>Declared at registration</h3>
      <p>{x.registeredAt ? `Registered ${x.registeredAt}.` : x.registration.length ? 'As its last initialisation declared it.' : 'Not registered yet.'}</p>
      <ValueTable label="Declared at registration" rows={x.registration} empty="Nothing declared yet: the device has not registered." />
      <h3>Reported options</h3>
      <ValueTable label="Reported options" rows={x.reported} empty={terminal ? 'None reported: this terminal has posted no options.' : 'None reported yet: Get options asks the device for them.'} />
      {terminal && (
        <>
          <h3>Terminal information (INFO)</h3>
          <p>{x.info ? (x.info.source === 'command' ? `Its answer to INFO, ${x.info.reportedAt}.` : 'From its polls.') : 'None yet.'}</p>
          <ValueTable label="Terminal information" rows={x.info?.values ?? []} empty="The terminal has sent no INFO yet." />
        </>
      )}
    </section>
  );
}

/** What the device should hold against what it confirmed (the convergence view of the sync state). */
function Convergence({ sn }: { sn: string }) {
  const c = useLoad(() => api('GET', `devices/${encodeURIComponent(sn)}/convergence`), [sn]);
  // While commands wait for the device's Return, read again every 2 s, as the queue does: the view turns
  // converged when the device confirmed, not when the operator happens to open it again.
  useReloadWhileWaiting(c, (d: any) => d.pendingCommands > 0);
  // And every 10 s as the list above it: a change that sends the device nothing (a secondary card removed where
  // multi-card is off, a face template deleted on a fingerprint-only panel) still changes what it cannot hold.
  useEvery(10_000, c.reload);
  if (c.error) return <Notice error={c.error} />;
  if (!c.data) return <p aria-busy="true">Loading…</p>;
  const d = c.data;
  return (
    <section aria-labelledby="conv-h">
      <h2 id="conv-h">Convergence of {sn}</h2>
      <p>
        {/* Commands waiting for a device that confirmed everything (a full sync asked of it) may already have changed
            it (the full sync's clear ran): not converged until they are answered, as the Devices list's Sync column says. */}
        {d.divergent ? (
          <Badge tone="bad">divergent</Badge>
        ) : d.state === 'refused' ? (
          <Badge tone="bad">refused by the firmware</Badge>
        ) : (d.unconfirmedItems > 0 || d.pendingCommands > 0) && !d.online ? (
          <Badge tone="warn">waiting for the device: offline</Badge>
        ) : d.unconfirmedItems > 0 || d.pendingCommands > 0 ? (
          <Badge tone="warn">converging</Badge>
        ) : (
          <Badge tone="ok">converged</Badge>
        )}{' '}
        {/* An offline device fetches nothing: its commands wait in the queue, no Return is on its way. */}
        {d.pendingCommands > 0 && (
          <span>
            {d.online
              ? `${d.pendingCommands} command${d.pendingCommands === 1 ? '' : 's'} waiting for a Return since ${d.oldestUnconfirmedAt}.`
              : `${d.pendingCommands} command${d.pendingCommands === 1 ? '' : 's'} queued since ${d.oldestUnconfirmedAt}; the device is offline and receives them when it polls again.`}
          </span>
        )}
      </p>
      {/* The device answered that it is full: no retry makes room, the operator must. */}
      {d.capacityExceeded && <Notice error={d.capacityExceeded} />}
      <dl class="facts">
        <dt>Users</dt>
        {/* ~MaxUserCount is a figure of the firmware's own (50 on the manual's panel), not a number of users. */}
        <dd>{d.maxUserCount !== null && d.maxUserCount !== undefined ? `${d.users} (the device reports ~MaxUserCount=${d.maxUserCount})` : `${d.users ?? 0}`}</dd>
        <dt>Desired items</dt>
        <dd>{d.desiredItems}</dd>
        <dt>Confirmed items</dt>
        <dd>{d.confirmedItems}</dd>
        <dt>Not confirmed</dt>
        <dd>{d.unconfirmedItems}</dd>
        <dt>Failing items</dt>
        <dd>{d.failingItems}</dd>
        <dt>Refused, by reason</dt>
        <dd>{d.failing?.length ? failingText(d.failing) : 'nothing'}</dd>
        <dt>Refused by the firmware</dt>
        <dd>{d.refusedItems} items</dd>
        <dt>Refused capabilities</dt>
        <dd>{d.refusals.length ? refusalsText(d.refusals) : 'none'}</dd>
        <dt>Work owed</dt>
        <dd>
          {d.owed.length
            ? d.owed.map((o: any, i: number) => (
                <Fragment key={o.kind}>
                  {i > 0 && '; '}
                  <span title={`owed: ${o.kind}`}>
                    {o.kind === 'count' ? `${owedName(o.kind)} (judged at its next INFO)` : `${owedName(o.kind)} (${o.attempts} tries${o.lastError ? `, ${o.lastError}` : ''}; next ${o.nextTryAt})`}
                  </span>
                </Fragment>
              ))
            : 'none'}
        </dd>
      </dl>
      <h3>Skipped persons</h3>
      <DataTable label="Skipped persons" rows={d.skipped} rowKey={(s: any) => s.pin} empty="None: every member could be sent." columns={[{ head: 'Person', cell: (s: any) => personLabel(s) }, { head: 'Why', cell: (s: any) => s.reason }]} />
      <h3>Cannot hold</h3>
      <DataTable
        label="Cannot hold"
        rows={d.cannotHold ?? []}
        rowKey={(c: any) => `${c.pin} ${c.what}`}
        empty="Nothing: every member's cards and templates are of what it holds."
        columns={[
          { head: 'Person', cell: (c: any) => personLabel(c) },
          { head: 'Cannot hold', cell: (c: any) => cannotHoldWhat(c) },
          { head: 'Why', cell: (c: any) => c.reason },
        ]}
      />
      <h3>Last answered commands</h3>
      <DataTable
        label="Last answered commands"
        rows={d.lastReturns}
        rowKey={(r: any) => `${r.at} ${r.command}`}
        empty="No command answered yet."
        columns={[
          { head: 'Command', cell: (r: any) => <code>{r.command}</code> },
          { head: 'Return', cell: (r: any) => r.returnCode ?? '' },
          { head: 'Meaning', cell: (r: any) => r.meaning ?? '' },
          { head: 'At', cell: (r: any) => r.at },
        ]}
      />
    </section>
  );
}

/**
 * The device shown and how, from the address: `/console/devices/SN` (or the dashboard's `/console/devices?sn=SN`) its
 * convergence, `?view=queue` its command queue, `?view=options` its options; so a reload, a bookmark or Back shows the same.
 */
type DeviceView = 'queue' | 'convergence' | 'options';

function selectedIn(sub: string | undefined, search: string): { sn: string; view: DeviceView } | null {
  const q = new URLSearchParams(search);
  const sn = sub ?? q.get('sn');
  const view = q.get('view');
  return sn ? { sn, view: view === 'queue' || view === 'options' ? view : 'convergence' } : null;
}

/** An instant as the `datetime-local` (step 1) value of its wall clock in the gateway's zone, seconds kept. */
function secondsInput(d: Date, timeZone?: string): string {
  return `${localInput(d, timeZone)}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** The gateway's count of the punches a terminal sent of a period (the Attendance page's list, filtered). */
async function heldPunches(sn: string, startTime: string, endTime: string): Promise<number> {
  return (await api('GET', `attendance/punches${query({ sn, from: startTime, to: endTime, size: 1 })}`)).total;
}

export function DevicesPage({ me, go, sub, search }: PageProps) {
  const list = useLoad(() => api('GET', 'devices?sync=1'));
  // Online, last seen and a newly waiting panel change on the device side (a panel going offline sends nothing):
  // read again every 10 s, as the dashboard and the Doors page do.
  useEvery(10_000, list.reload);
  const areas = useLoad(() => api('GET', 'catalog/areas'));
  const selected = selectedIn(sub, search);
  // The device whose queue or convergence is open is followed there every 2 s while its commands wait: its row
  // follows at the same pace, or it read "syncing, 11 commands waiting" for up to 10 s beside "Nothing waiting".
  // Also when the device is chosen after the list was read (a Full sync opens the queue once the list is asked again).
  const followed = selected && list.data?.find((d: any) => d.sn === selected.sn);
  const followedWaiting = !!followed?.online && (followed.sync?.pendingCommands ?? 0) > 0;
  useEffect(() => {
    if (!followedWaiting) return;
    const t = setTimeout(list.reload, 2000);
    return () => clearTimeout(t);
  }, [list.data, followedWaiting]);
  const setSelected = (s: { sn: string; view: DeviceView } | null) =>
    go(s ? `devices/${encodeURIComponent(s.sn)}${s.view === 'convergence' ? '' : `?view=${s.view}`}` : 'devices');
  // `was` is the name the device had when the form opened; `doors`: its doors and floors named after it follow.
  const [rename, setRename] = useState<{ sn: string; alias: string; was: string; hasDoors: boolean; doors: boolean } | null>(null);
  // CVSecurity's "Get attendance records" of a terminal: the period asked for, the last 24 h unless changed.
  const [recovery, setRecovery] = useState<{ d: any; from: string; to: string } | null>(null);
  // CVSecurity's "Get transactions" of a panel: its new records (default), all, or a period (the last 24 h unless changed).
  const [txQuery, setTxQuery] = useState<{ d: any; records: 'new' | 'all' | 'period'; from: string; to: string } | null>(null);
  // CVSecurity's Device > New: a device added by SN before it has contacted the gateway, admitted when it does.
  const [added, setAdded] = useState({ sn: '', alias: '' });
  const a = useAction();
  const confirm = useConfirm();
  const isAdmin = can(me.role, 'admin');
  const isOperator = can(me.role, 'operator');
  async function act(sn: string, path: string, ok: string) {
    await a.run(() => api('POST', `devices/${encodeURIComponent(sn)}/${path}`), ok);
    list.reload();
  }
  /**
   * A device-wide command followed to its Return as a door action is: a panel's, elevator or channel controller's
   * reboot or clock (`control`), an attendance terminal's reboot or clearing of its punches (`terminal`, its own
   * command set). The messages name the device as what it is (an elevator controller is no panel), and say "done"
   * only once it answered.
   */
  async function command(d: any, path: 'control' | 'terminal', action: string, label: string) {
    const who = kindWord(d.kind);
    const r = await a.run(() => api('POST', `devices/${encodeURIComponent(d.sn)}/${path}`, { action }), `${label}: command queued for ${d.sn}, waiting for the ${who}`);
    if (r?.commandId) await followCommand(a, d.sn, r.commandId, { label, target: d.sn, device: who }, list.reload);
  }
  /**
   * The terminal uploads its punches of the period again. The form stays with what was typed when the period is
   * refused (the error says why); once the terminal answered, the page says how many punches of that period the
   * gateway now holds from it, and how many of them are new, or that it had none (an empty query answers -1).
   */
  /**
   * The panel uploads the access records asked for (DATA QUERY tablename=transaction). The form stays with what was
   * chosen when the call is refused (the error says why); once the panel answered, the page says how many records it
   * sent (its Return): those the gateway had already stay once, the others are in Transactions.
   */
  async function getTransactions(e: Event) {
    e.preventDefault();
    const { d, records, from, to } = txQuery!;
    const period = records === 'period' ? { startTime: fromLocalInput(from)!, endTime: fromLocalInput(to)! } : {};
    const asked = records === 'period' ? `its records of ${period.startTime} to ${period.endTime}` : records === 'all' ? 'all its records' : 'the records it has not uploaded';
    const label = 'Get transactions';
    const who = kindWord(d.kind);
    const r = await a.run(() => api('POST', `devices/${encodeURIComponent(d.sn)}/transactions`, { records, ...period }), `${label}: ${d.sn} is asked for ${asked}, waiting for the ${who}`);
    if (!r?.commandId) return;
    setTxQuery(null);
    // A Return counting more records than came (a packet lost on its way) has the gateway ask again, and the command
    // says so (its error names the new one, followed in turn); after the last ask it says how many did not come.
    let next: string | undefined = r.commandId;
    while (next) {
      const id: string = next;
      next = undefined;
      const done = async (c: any) => {
        const records = `${c.returnCode} record${c.returnCode === 1 ? '' : 's'} (${asked})`;
        if (c.returnCode === 0) return `${label}: the ${who} ${d.sn} holds no records of what was asked (${asked}): it answered Return 0, none`;
        if (!c.error) return `${label}: the ${who} ${d.sn} sent ${records}; each is in Transactions once, whether or not the gateway had it already`;
        next = /asked again: command (\d+)/.exec(c.error)?.[1];
        return `${label}: the ${who} ${d.sn} counted ${records}, but ${c.error}${next ? `, waiting for the ${who}` : ''}`;
      };
      await followCommand(a, d.sn, id, { label, target: d.sn, device: who, done }, list.reload);
    }
  }
  async function getPunches(e: Event) {
    e.preventDefault();
    const { d, from, to } = recovery!;
    const startTime = fromLocalInput(from)!;
    // The inputs take seconds (step 1): Chromium shows 21:09:00 as 21:09, which is that second, not the whole minute.
    const endTime = fromLocalInput(to)!;
    const label = 'Get punches';
    const who = kindWord(d.kind);
    const before = await heldPunches(d.sn, startTime, endTime).catch(() => null);
    const r = await a.run(() => api('POST', `devices/${encodeURIComponent(d.sn)}/recover`, { startTime, endTime }), `${label}: ${d.sn} is asked for its punches of ${startTime} to ${endTime}, waiting for the ${who}`);
    if (!r?.commandId) return;
    setRecovery(null);
    const done = async (c: any) => {
      if (c.returnCode < 0) return `${label}: the ${who} ${d.sn} answered that it holds no punches of ${startTime} to ${endTime}`;
      const held = await heldPunches(d.sn, startTime, endTime);
      const added = before === null ? '' : ` (${held - before} new)`;
      return `${label}: the ${who} ${d.sn} sent its punches of ${startTime} to ${endTime}; the gateway holds ${held} of that period from it${added}`;
    };
    await followCommand(a, d.sn, r.commandId, { label, target: d.sn, device: who, done }, list.reload);
  }
  async function remove(sn: string) {
    const done = await a.run(() => api('DELETE', `devices/${encodeURIComponent(sn)}`).then(() => true), `Device ${sn} deleted`);
    if (done && selected?.sn === sn) setSelected(null);
    list.reload();
  }
  async function saveAlias(e: Event) {
    e.preventDefault();
    const r = rename!;
    // The form stays open with what was typed when the name is refused: the error says what to change.
    // Doors are named after their panel (192.168.1.201-1): CVSecurity's operator renames the panel and wants its doors
    // to read the same; the answer's doors say which names they have now.
    const done = (d: any) => {
      const renamed = r.doors ? (d?.doors ?? []).map((x: any) => x.name).filter((n: string) => n.startsWith(`${r.alias.trim()}-`)) : [];
      return `Renamed ${r.sn}` + (r.doors ? (renamed.length ? `; its doors are now ${renamed.join(', ')}` : `; no door of it was still named after ${r.was}`) : '');
    };
    if ((await a.run(() => api('PUT', `devices/${encodeURIComponent(r.sn)}/alias`, { alias: r.alias, renameDoors: r.doors }), done)) !== undefined) setRename(null);
    list.reload();
  }
  async function addDevice(e: Event) {
    e.preventDefault();
    const sn = added.sn.trim();
    const body = { sn, ...(added.alias.trim() ? { alias: added.alias.trim() } : {}) };
    // What was typed stays when the SN or the name is refused: the error says what to change.
    const done = await a.run(() => api('POST', 'devices', body), `Device ${sn} added: it is admitted and receives its data as soon as it contacts the gateway`);
    if (done !== undefined) setAdded({ sn: '', alias: '' });
    list.reload();
  }
  async function setArea(sn: string, areaCode: string) {
    await a.run(() => api('PUT', `devices/${encodeURIComponent(sn)}/area`, { areaCode }), `Moved ${sn}`);
    list.reload();
  }
  if (list.error) return <Notice error={list.error} />;
  if (!list.data) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      {isAdmin && (
        <form class="row" onInvalidCapture={a.invalid} onSubmit={addDevice} aria-label="Add device">
          <Field required label="Serial number (SN)">
            <input name="sn" maxLength={64} pattern="[!-~]+" title="The SN as the device sends it: letters, digits and signs, no spaces" value={added.sn} onInput={(e) => setAdded({ ...added, sn: e.currentTarget.value })} />
          </Field>
          <Field label="Name (optional)">
            <input name="alias" maxLength={100} value={added.alias} onInput={(e) => setAdded({ ...added, alias: e.currentTarget.value })} />
          </Field>
          <button type="submit">Add device</button>
        </form>
      )}
      <DataTable
        label="Devices"
        rows={list.data}
        rowKey={(d: any) => d.sn}
        empty="No device yet: add one by its SN, or point a device at the gateway and approve it when it calls."
        columns={[
          ...DEVICE_COLUMNS.slice(0, 2),
          // What the device is (CVSecurity lists each kind in its own module): a terminal waiting beside a panel is told apart before it is approved.
          { head: 'Kind', cell: (d: any) => kindName(d.kind) },
          ...DEVICE_COLUMNS.slice(2),
          { head: 'Sync', cell: (d: any) => <SyncBadge d={d} /> },
          {
            head: 'Area',
            cell: (d: any) =>
              isOperator ? (
                <select aria-label={`Area of ${d.sn}`} value={d.areaCode ?? ''} onChange={(e) => setArea(d.sn, e.currentTarget.value)}>
                  {(areas.data ?? []).map((x: any) => (
                    <option key={x.code} value={x.code}>
                      {x.name}
                    </option>
                  ))}
                </select>
              ) : (
                d.areaName
              ),
          },
          {
            head: 'Actions',
            cell: (d: any) => (
              <div class="actions">
                {isAdmin && d.admission !== 'admitted' && (
                  <button type="button" onClick={() => act(d.sn, 'approve', `${kindName(d.kind)} ${d.sn} approved`)} aria-label={`Approve ${d.sn}`}>
                    Approve
                  </button>
                )}
                {isAdmin && d.admission === 'admitted' && (
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Disable ${d.sn}`}
                    onClick={() =>
                      confirm.ask({ title: `Disable ${kindWord(d.kind)}`, confirmLabel: 'Disable', danger: true, question: `Disable ${d.sn}? It will be refused until approved again.`, run: () => act(d.sn, 'disable', `${kindName(d.kind)} ${d.sn} disabled`) })
                    }
                  >
                    Disable
                  </button>
                )}
                {isOperator && (
                  <button type="button" class="secondary outline" onClick={() => setRename({ sn: d.sn, alias: d.alias, was: d.alias, hasDoors: !['att', 'facekiosk'].includes(d.kind), doors: false })} aria-label={`Rename ${d.sn}`}>
                    Rename
                  </button>
                )}
                {isOperator && d.admission === 'admitted' && (
                  <button
                    type="button"
                    class="secondary outline"
                    aria-label={`Full sync ${d.sn}`}
                    onClick={() =>
                      confirm.ask({
                        title: 'Full sync',
                        confirmLabel: 'Queue full sync',
                        question: `Send everything ${d.sn} should hold again? With many persons this takes a while; the queue shows the progress.`,
                        // An offline device fetches nothing: the sync waits in its queue until it polls again, and the message says so.
                        run: async () => (await act(d.sn, 'sync', `A full sync of ${d.sn} is queued${d.online ? '' : '; the device is offline: it receives it when it polls again'}`), setSelected({ sn: d.sn, view: 'queue' })),
                      })
                    }
                  >
                    Full sync
                  </button>
                )}
                {isOperator && d.admission === 'admitted' && !['att', 'facekiosk'].includes(d.kind) && (
                  <>
                    <button type="button" class="secondary outline" aria-label={`Sync time of ${d.sn}`} onClick={() => command(d, 'control', 'syncTime', 'Sync time')}>
                      Sync time
                    </button>
                    {/* CVSecurity's Device > Get transactions: DATA QUERY tablename=transaction (new records, all, or a period). */}
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={`Get transactions of ${d.sn}`}
                      onClick={() => {
                        const now = new Date();
                        setTxQuery({ d, records: 'new', from: secondsInput(new Date(now.getTime() - 24 * 3600_000), me.timeZone), to: secondsInput(now, me.timeZone) });
                      }}
                    >
                      Get transactions
                    </button>
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={`Reboot ${d.sn}`}
                      onClick={() =>
                        confirm.ask({
                          title: `Reboot ${kindWord(d.kind)}`,
                          confirmLabel: 'Reboot',
                          danger: true,
                          question: `Restart ${d.sn}? ${d.kind === 'ele' ? 'Its floors' : d.kind === 'psg' ? 'Its gates' : 'Its doors'} stay as its lock wiring holds them until it is back.`, run: () => command(d, 'control', 'reboot', 'Reboot') })
                      }
                    >
                      Reboot
                    </button>
                  </>
                )}
                {/* CVSecurity's attendance device menu: Reboot, Clear attendance records (the gateway keeps the punches it received). */}
                {isOperator && d.admission === 'admitted' && ['att', 'facekiosk'].includes(d.kind) && (
                  <>
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={`Reboot ${d.sn}`}
                      onClick={() => confirm.ask({ title: `Reboot ${kindWord(d.kind)}`, confirmLabel: 'Reboot', danger: true, question: `Restart ${d.sn}? Nobody can punch on it until it is back.`, run: () => command(d, 'terminal', 'reboot', 'Reboot') })}
                    >
                      Reboot
                    </button>
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={`Clear punches of ${d.sn}`}
                      onClick={() =>
                        confirm.ask({
                          title: 'Clear attendance records',
                          confirmLabel: 'Clear punches',
                          danger: true,
                          question: `Delete every punch stored on ${d.sn}? The punches it already sent stay in the gateway (Attendance page); any it has not sent yet are lost.`,
                          run: () => command(d, 'terminal', 'clearLog', 'Clear punches'),
                        })
                      }
                    >
                      Clear punches
                    </button>
                    {/* Get attendance records: DATA QUERY ATTLOG, which an attendance terminal answers (the REST recovery's terminals). */}
                    {d.kind === 'att' && (
                      <button
                        type="button"
                        class="secondary outline"
                        aria-label={`Get punches of ${d.sn}`}
                        onClick={() => {
                          const now = new Date();
                          setRecovery({ d, from: secondsInput(new Date(now.getTime() - 24 * 3600_000), me.timeZone), to: secondsInput(now, me.timeZone) });
                        }}
                      >
                        Get punches
                      </button>
                    )}
                  </>
                )}
                <button type="button" class="secondary outline" onClick={() => setSelected({ sn: d.sn, view: 'queue' })} aria-label={`Command queue of ${d.sn}`}>
                  Queue
                </button>
                <button type="button" class="secondary outline" onClick={() => setSelected({ sn: d.sn, view: 'convergence' })} aria-label={`Convergence of ${d.sn}`}>
                  Convergence
                </button>
                <button type="button" class="secondary outline" onClick={() => setSelected({ sn: d.sn, view: 'options' })} aria-label={`Options of ${d.sn}`}>
                  Options
                </button>
                {isOperator && (
                  <button
                    type="button"
                    class="secondary outline"
                    aria-label={`Delete ${d.sn}`}
                    onClick={() =>
                      confirm.ask({
                        title: 'Delete device',
                        confirmLabel: `Delete ${d.sn}`,
                        danger: true,
                        question: `Delete ${d.sn} with its doors, floors or gates? Commands still queued for it are dropped, and its access levels lose those doors. If it connects again it registers as a new device.`,
                        run: () => remove(d.sn),
                      })
                    }
                  >
                    Delete
                  </button>
                )}
              </div>
            ),
          },
        ]}
      />
      {rename && (
        <form key={`rename-${rename.sn}`} ref={reveal} class="row" onInvalidCapture={a.invalid} onSubmit={saveAlias} onKeyDown={closeOnEscape(() => setRename(null))} aria-label={`Rename ${rename.sn}`}>
          <Field required label={`New name for ${rename.sn}`}>
            <input name="alias" maxLength={100} value={rename.alias} onInput={(e) => setRename({ ...rename, alias: e.currentTarget.value })} />
          </Field>
          {/* Unticked by default: clients that open doors or add them to levels by name must then use the new names. */}
          {rename.hasDoors && (
            <label>
              <input type="checkbox" name="renameDoors" checked={rename.doors} onChange={(e) => setRename({ ...rename, doors: e.currentTarget.checked })} />
              Rename its doors and floors named after it too ({rename.was}-1 becomes {rename.alias.trim() || '…'}-1)
            </label>
          )}
          <button type="submit">Save name</button>
          <button type="button" class="secondary" onClick={() => setRename(null)}>
            Cancel
          </button>
        </form>
      )}
      {txQuery && (
        <form key={`tx-${txQuery.d.sn}`} ref={reveal} class="row" onInvalidCapture={a.invalid} onSubmit={getTransactions} onKeyDown={closeOnEscape(() => setTxQuery(null))} aria-label={`Get transactions of ${txQuery.d.sn}`}>
          <p>Ask {txQuery.d.sn} to send the access records it keeps: those it never uploaded, or whose upload was lost, are stored; those the gateway has stay once. Times are the gateway's.</p>
          <Field required label="Records">
            <select name="records" value={txQuery.records} onChange={(e) => setTxQuery({ ...txQuery, records: e.currentTarget.value as 'new' | 'all' | 'period' })}>
              <option value="new">New records (not uploaded yet)</option>
              <option value="all">All records</option>
              <option value="period">Records of a period</option>
            </select>
          </Field>
          {txQuery.records === 'period' && (
            <>
              <Field required label="Start time">
                <input type="datetime-local" step={1} name="startTime" value={txQuery.from} onInput={(e) => setTxQuery({ ...txQuery, from: e.currentTarget.value })} />
              </Field>
              <Field required label="End time">
                <input type="datetime-local" step={1} name="endTime" value={txQuery.to} onInput={(e) => setTxQuery({ ...txQuery, to: e.currentTarget.value })} />
              </Field>
            </>
          )}
          <button type="submit" aria-busy={a.busy} disabled={a.busy}>
            Get transactions
          </button>
          <button type="button" class="secondary" onClick={() => setTxQuery(null)}>
            Cancel
          </button>
        </form>
      )}
      {recovery && (
        <form key={`punches-${recovery.d.sn}`} ref={reveal} class="row" onInvalidCapture={a.invalid} onSubmit={getPunches} onKeyDown={closeOnEscape(() => setRecovery(null))} aria-label={`Get punches of ${recovery.d.sn}`}>
          <p>Ask {recovery.d.sn} to send its punches of this period again: those it never sent, or whose upload was lost, are stored; those the gateway has stay once. Times are the gateway's.</p>
          <Field required label="Start time">
            <input type="datetime-local" step={1} name="startTime" value={recovery.from} onInput={(e) => setRecovery({ ...recovery, from: e.currentTarget.value })} />
          </Field>
          <Field required label="End time">
            <input type="datetime-local" step={1} name="endTime" value={recovery.to} onInput={(e) => setRecovery({ ...recovery, to: e.currentTarget.value })} />
          </Field>
          <button type="submit" aria-busy={a.busy} disabled={a.busy}>
            Get punches
          </button>
          <button type="button" class="secondary" onClick={() => setRecovery(null)}>
            Cancel
          </button>
        </form>
      )}
      {selected && (
        <div key={`${selected.view}-${selected.sn}`} ref={reveal}>
          {selected.view === 'queue' && <CommandQueue sn={selected.sn} canClear={isOperator} />}
          {selected.view === 'options' && (list.data.find((d: any) => d.sn === selected.sn) ? <Options d={list.data.find((d: any) => d.sn === selected.sn)} canAsk={isOperator} /> : <Notice error={new Error(`No device ${selected.sn}`)} />)}
          {selected.view === 'convergence' && <Convergence sn={selected.sn} />}
        </div>
      )}
      {confirm.dialog}
    </>
  );
}
