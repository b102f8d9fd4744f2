import { api } from './api';
import { CsvExport } from './csv-export';
import type { Me } from './main';
import { ELEVATOR_LEVELS, ModuleLevels } from './module-levels';
import { can, ConnectBadge, deviceLabel, Field, followCommand, LoadedTable, DEVICE_COLUMNS, EventFilters, eventParams, Notice, PagedTable, SearchFilters, useAction, useConfirm, useEvery, useLoad, usePagedList } from './ui';

/**
 * CVSecurity's floor remote control: open for some seconds and close (CONTROL DEVICE 11), normal open until ended
 * and its end (CONTROL DEVICE 12, the elevator's normal opening), each after a confirmation.
 */
const FLOOR_ACTIONS = {
  open: { label: 'Open', question: (name: string) => `Release the button of floor ${name}?` },
  close: { label: 'Close', question: (name: string) => `Lock the button of floor ${name} now?` },
  normalOpen: { label: 'Normal open', question: (name: string) => `Keep the button of floor ${name} released until its normal open is ended?` },
  cancelNormalOpen: { label: 'End normal open', question: (name: string) => `End the normal open of floor ${name}? Its button follows the levels' rights again.` },
};
type FloorAction = keyof typeof FLOOR_ACTIONS;

/** Elevator controllers, their floors (remote open/close and normal open after a confirmation), elevator levels and events. */
export function ElevatorPage({ me }: { me: Me }) {
  const controllers = useLoad(() => api('GET', 'elevator/controllers'));
  // A site has hundreds of floors: paged and narrowed as CVSecurity's floor list is, by floor name and by controller
  // (name or SN), in the address under names of their own (the events list below has `page`, `sn`…).
  const fl = usePagedList('elevator/floors', { floorName: '', floorDevice: '' }, (f) => ({ name: f.floorName, device: f.floorDevice }), 50, 'floorPage');
  const floors = fl.list;
  // A controller going offline sends nothing: the controllers and their floors are read again every 10 s, as the Doors page's.
  useEvery(10_000, () => (controllers.reload(), floors.reload()));
  const l = usePagedList('elevator/events', { from: '', to: '', pin: '', sn: '' }, eventParams);
  const a = useAction();
  const confirm = useConfirm();
  const mayAct = can(me.role, 'operator');
  function control(f: any, action: FloorAction) {
    // How long an opening releases the button (1-254 s, 5 unless changed), kept for this one confirmation.
    const open = { seconds: '5' };
    const label = FLOOR_ACTIONS[action].label;
    confirm.ask({
      title: 'Confirm floor command',
      confirmLabel: `${label} ${f.name}`,
      question:
        action === 'open' ? (
          <>
            Release the button of floor {f.name}?
            <Field required label="Open for (seconds)">
              <input type="number" name="interval" min={1} max={254} step={1} defaultValue={open.seconds} onInput={(e) => (open.seconds = e.currentTarget.value)} />
            </Field>
          </>
        ) : (
          FLOOR_ACTIONS[action].question(f.name)
        ),
      run: async () => {
        const body = action === 'open' ? { interval: Number(open.seconds) } : {};
        const r: any = await a.run(() => api('POST', `elevator/floors/${f.id}/${action}`, body), `${label}: command queued for floor ${f.name}, waiting for the controller`);
        // Followed after the dialog closed (it stays open while its run is under way).
        if (r?.commandId) void followCommand(a, r.deviceSn, r.commandId, { label, target: `floor ${f.name}`, device: 'controller' });
      },
    });
  }
  /** CVSecurity's Cancel emergency on an elevator controller: after a fire alarm its buttons stay released until told. */
  function cancelEmergency(d: any) {
    const name = deviceLabel(d.alias, d.sn);
    confirm.ask({
      title: 'Cancel elevator emergency',
      confirmLabel: `Cancel emergency on ${d.sn}`,
      question: `End the emergency state of ${name}? Its floor buttons go back to the levels' rights.`,
      run: async () => {
        const r: any = await a.run(() => api('POST', `elevator/controllers/${encodeURIComponent(d.sn)}/cancelEmergency`, {}), `Cancel emergency: command queued for ${name}, waiting for the controller`);
        if (r?.commandId) void followCommand(a, r.deviceSn, r.commandId, { label: 'Cancel emergency', target: name, device: 'controller' });
      },
    });
  }
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      <section aria-labelledby="ele-dev-h">
        <h2 id="ele-dev-h">Controllers</h2>
        <LoadedTable
          load={controllers}
          label="Elevator controllers"
          rowKey={(d: any) => d.sn}
          empty="No elevator controller has registered yet."
          columns={[
            ...DEVICE_COLUMNS,
            mayAct && {
              head: 'Emergency',
              cell: (d: any) => (
                // Named by its words only (the row names the controller): a name holding the SN would match the SN's cell too.
                <button type="button" class="secondary" title={`Cancel the emergency state of ${d.sn}`} onClick={() => cancelEmergency(d)}>
                  Cancel emergency
                </button>
              ),
            },
          ]}
        />
      </section>
      <section aria-labelledby="ele-floor-h">
          <h2 id="ele-floor-h">Floors</h2>
          <SearchFilters label="Filter floors" list={fl} fields={[['floorName', 'Floor name'], ['floorDevice', 'Controller name or SN']]} />
          <PagedTable
            list={floors}
            setPage={fl.setPage}
            label="Floors"
            rowKey={(f: any) => f.id}
            empty={fl.filter.floorName || fl.filter.floorDevice ? 'No floor matches.' : 'No floors: a controller reports them when it registers.'}
            columns={[
              { head: 'Floor', cell: (f: any) => f.name },
              { head: 'No.', cell: (f: any) => f.floorNo },
              {
                head: 'Controller',
                cell: (f: any) => (
                  <>
                    {deviceLabel(f.controller, f.sn)} <ConnectBadge connect={f.online ? '1' : '0'} />
                  </>
                ),
              },
              mayAct && {
                head: 'Remote control',
                cell: (f: any) => (
                  <div class="actions">
                    <button type="button" aria-label={`Open ${f.name}`} onClick={() => control(f, 'open')}>
                      Open
                    </button>
                    <button type="button" class="secondary" aria-label={`Close ${f.name}`} onClick={() => control(f, 'close')}>
                      Close
                    </button>
                    <button type="button" class="secondary" aria-label={`Normal open ${f.name}`} onClick={() => control(f, 'normalOpen')}>
                      Normal open
                    </button>
                    <button type="button" class="secondary outline" aria-label={`End normal open ${f.name}`} onClick={() => control(f, 'cancelNormalOpen')}>
                      End normal open
                    </button>
                  </div>
                ),
              },
            ]}
          />
      </section>
      <ModuleLevels mayEdit={mayAct} module={ELEVATOR_LEVELS} />
      <section aria-labelledby="ele-ev-h">
        <h2 id="ele-ev-h">Elevator events</h2>
        <form class="row" aria-label="Filter elevator events" onSubmit={l.apply}>
          <EventFilters form={l.form} set={l.set} devices={controllers.data} />
          <button type="submit">Apply filters</button>
          <CsvExport path="elevator/events/csv" fileName="elevator-events.csv" params={l.params} what="events" />
        </form>
        <PagedTable
          label="Elevator events"
          list={l.list}
          setPage={l.setPage}
          rowKey={(t: any) => t.id}
          empty="No elevator event matches."
          columns={[
            { head: 'Time', cell: (t: any) => t.eventTime },
            { head: 'Person', cell: (t: any) => (t.pin ? `${t.name} (${t.pin})` : '') },
            { head: 'Controller', cell: (t: any) => deviceLabel(t.devName, t.devSn) },
            { head: 'Floor / point', cell: (t: any) => t.eventPointName },
            { head: 'Event', cell: (t: any) => t.eventName },
            { head: 'Verified by', cell: (t: any) => t.verifyModeName },
          ]}
        />
      </section>
      {confirm.dialog}
    </>
  );
}
