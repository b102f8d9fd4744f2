import { api } from './api';
import { CsvExport } from './csv-export';
import type { Me } from './main';
import { ENTRANCE_LEVELS, ModuleLevels } from './module-levels';
import { PassRules } from './pass-rules';
import { useState } from 'preact/hooks';
import { Badge, can, ConnectBadge, deviceLabel, Field, followCommand, LoadedTable, DEVICE_COLUMNS, EventFilters, eventParams, Notice, PagedTable, useAction, useConfirm, useEvery, useLoad, usePagedList } from './ui';

/** 2.31.1's alarm codes in words. */
const ALARMS: Record<string, string> = { '0': 'none', '1': 'opened accidentally', '2': 'tampering', '3': 'duress password', '4': 'duress fingerprint', '7': 'gate error', None: 'unknown' };
const GATE_STATE: Record<string, string> = { '0': 'not seen', '1': 'online', '2': 'disabled' };
const RELAY: Record<string, string> = { '0': 'closed', '2': 'entry open', None: 'unknown' };
const COUNTER_CHOICES: Array<[string, string]> = [['all', 'all counters'], ['in', 'the in counter'], ['out', 'the out counter'], ['alarm', 'the alarm counter']];
const GATE_TYPES: Record<number, string> = { 0: 'unknown', 1: 'tripod turnstile', 2: 'flap barrier', 3: 'swing barrier' };

function counterText(c: any) {
  if (!c) return 'not reported yet';
  return `in ${c.inCount ?? '—'} · out ${c.outCount ?? '—'} · alarms ${c.alarmCount ?? '—'} · runs ${c.runCount ?? '—'}`;
}

/** Channel controllers with their counters, gates with their state and remote opening, and entrance-control events. */
export function EntrancePage({ me }: { me: Me }) {
  const controllers = useLoad(() => api('GET', 'entrance/controllers'));
  const gates = useLoad(() => api('GET', 'entrance/gates'));
  // A controller going offline sends nothing: the controllers and their gates are read again every 10 s, as the Doors page's.
  useEvery(10_000, () => (controllers.reload(), gates.reload()));
  const l = usePagedList('entrance/events', { from: '', to: '', pin: '', sn: '' }, eventParams);
  const a = useAction();
  const confirm = useConfirm();
  const mayAct = can(me.role, 'operator');
  // The controller whose pass rules are shown (by SN).
  const [rulesOf, setRulesOf] = useState<string | null>(null);
  const rulesController = (controllers.data as any[] | undefined)?.find((d) => d.sn === rulesOf);
  /** CVSecurity's counter reset on a channel controller (CONTROL DEVICE 10): which counter is asked in the confirmation. */
  function resetCounters(d: any) {
    const name = deviceLabel(d.alias, d.sn);
    const chosen = { counter: 'all' };
    confirm.ask({
      title: 'Reset counters',
      confirmLabel: `Reset counters of ${d.sn}`,
      question: (
        <>
          Set a counter of {name} back to 0? It reports its counters again once done.
          <Field required label="Counter">
            <select name="counter" defaultValue="all" onChange={(e) => (chosen.counter = e.currentTarget.value)}>
              {COUNTER_CHOICES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
        </>
      ),
      run: async () => {
        const r: any = await a.run(() => api('POST', `entrance/controllers/${encodeURIComponent(d.sn)}/reset-counters`, { counter: chosen.counter }), `Reset counters: command queued for ${name}, waiting for the controller`);
        // Its new counters come with its next irstate report, read with the controllers.
        if (r?.commandId) void followCommand(a, r.deviceSn, r.commandId, { label: 'Reset counters', target: name, device: 'controller' }, controllers.reload);
      },
    });
  }
  function open(g: any, direction: 'entry' | 'exit') {
    confirm.ask({
      title: 'Confirm gate command',
      confirmLabel: `Open ${g.name} for ${direction}`,
      question: `Let one person pass ${g.name} in the ${direction} direction?`,
      run: async () => {
        const r: any = await a.run(() => api('POST', `entrance/gates/${g.id}/open`, { direction }), `Open for ${direction}: command queued for ${g.name}, waiting for the controller`);
        gates.reload();
        // Followed after the dialog closed (it stays open while its run is under way).
        if (r?.commandId) void followCommand(a, r.deviceSn, r.commandId, { label: `Open for ${direction}`, target: g.name, device: 'controller' }, gates.reload);
      },
    });
  }
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      <section aria-labelledby="psg-dev-h">
        <h2 id="psg-dev-h">Channel controllers</h2>
        <LoadedTable
          load={controllers}
          label="Channel controllers"
          rowKey={(d: any) => d.sn}
          empty="No channel controller has registered yet."
          columns={[
            ...DEVICE_COLUMNS,
            { head: 'Counters', cell: (d: any) => counterText(d.counters) },
            { head: 'Counted at', cell: (d: any) => d.counters?.reportedAt ?? '' },
            {
              head: 'Actions',
              cell: (d: any) => (
                // Named by their words only (the row names the controller): a name holding the SN would match the SN's cell too.
                <div class="actions">
                  <button type="button" class="secondary outline" title={`Pass rules of ${d.sn}`} onClick={() => setRulesOf(d.sn)}>
                    Pass rules
                  </button>
                  {mayAct && (
                    <button type="button" class="secondary" title={`Reset the counters of ${d.sn}`} onClick={() => resetCounters(d)}>
                      Reset counters
                    </button>
                  )}
                </div>
              ),
            },
          ]}
        />
        {rulesController && <PassRules key={rulesController.sn} controller={rulesController} mayEdit={mayAct} onClose={() => setRulesOf(null)} />}
      </section>
      <section aria-labelledby="psg-gate-h">
        <h2 id="psg-gate-h">Gates</h2>
        <LoadedTable
          load={gates}
          label="Gates"
          rowKey={(g: any) => g.id}
          empty="No gates: a channel controller brings its gates when it registers."
          columns={[
            { head: 'Gate', cell: (g: any) => g.name },
            {
              head: 'Controller',
              cell: (g: any) => (
                <>
                  {g.controller} ({g.sn}) <ConnectBadge connect={g.connect} />
                </>
              ),
            },
            { head: 'Gate state', cell: (g: any) => <Badge tone={g.gateState === '1' ? 'ok' : 'muted'}>{GATE_STATE[g.gateState] ?? g.gateState}</Badge> },
            { head: 'Passage', cell: (g: any) => RELAY[g.relay] ?? g.relay },
            { head: 'Alarm', cell: (g: any) => <Badge tone={g.alarm === '0' ? 'ok' : g.alarm === 'None' ? 'muted' : 'bad'}>{ALARMS[g.alarm] ?? g.alarm}</Badge> },
            mayAct && {
              head: 'Remote open',
              cell: (g: any) => (
                <div class="actions">
                  <button type="button" aria-label={`Open ${g.name} for entry`} onClick={() => open(g, 'entry')}>
                    Entry
                  </button>
                  <button type="button" class="secondary" aria-label={`Open ${g.name} for exit`} onClick={() => open(g, 'exit')}>
                    Exit
                  </button>
                </div>
              ),
            },
          ]}
        />
      </section>
      <ModuleLevels mayEdit={mayAct} module={ENTRANCE_LEVELS} />
      <section aria-labelledby="psg-ev-h">
        <h2 id="psg-ev-h">Entrance-control events</h2>
        <form class="row" aria-label="Filter entrance-control events" onSubmit={l.apply}>
          <EventFilters form={l.form} set={l.set} devices={controllers.data} />
          <button type="submit">Apply filters</button>
          <CsvExport path="entrance/events/csv" fileName="entrance-events.csv" params={l.params} what="events" />
        </form>
        <PagedTable
          label="Entrance-control events"
          list={l.list}
          setPage={l.setPage}
          rowKey={(t: any) => t.id}
          empty="No entrance-control event matches."
          columns={[
            { head: 'Time', cell: (t: any) => t.eventTime },
            { head: 'Person', cell: (t: any) => (t.pin ? `${t.name} (${t.pin})` : '') },
            { head: 'Gate', cell: (t: any) => t.eventPointName },
            { head: 'Reader', cell: (t: any) => t.readerName },
            { head: 'Event', cell: (t: any) => `${t.eventName} (${t.eventNo})` },
            { head: 'Gate type', cell: (t: any) => GATE_TYPES[t.gateType] ?? t.gateType },
          ]}
        />
      </section>
      {confirm.dialog}
    </>
  );
}
