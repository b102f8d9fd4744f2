import { useState } from 'preact/hooks';
import { api } from './api';
import { CsvExport } from './csv-export';
import { DataTable, Notice, Pager, useLoad } from './ui';

/**
 * CVSecurity's "Access rights by door": the persons a door admits through their access levels, with those levels and
 * their time segments, paged, and exported as CSV. A disabled door admits nobody whatever the levels say.
 */
export function DoorAccess({ door, onClose }: { door: { id: string; name: string; enabled: boolean }; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const list = useLoad(() => api<any>('GET', `doors/${encodeURIComponent(door.id)}/persons?page=${page}&size=50`), [door.id, page]);
  return (
    <section aria-labelledby="door-access-h">
      <h2 id="door-access-h">Who has access to {door.name}</h2>
      {!door.enabled && <p>The door is disabled: its panel lets nobody through it until it is enabled, whatever the levels below grant.</p>}
      {list.error ? <Notice error={list.error} /> : null}
      {list.data && (
        <>
          <DataTable
            label={`Persons with access to ${door.name}`}
            rows={list.data.rows}
            rowKey={(p: any) => p.pin}
            empty="Nobody: no access level holding this door has a person."
            columns={[
              { head: 'Pin', cell: (p: any) => p.pin },
              { head: 'Name', cell: (p: any) => `${[p.name, p.lastName].filter(Boolean).join(' ')}${p.disabled ? ' (disabled)' : ''}` },
              { head: 'Department', cell: (p: any) => p.deptName },
              { head: 'Levels (time segment)', cell: (p: any) => p.levels.join(', ') },
            ]}
          />
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
          {/* CVSecurity's Export: every person the door admits (not only this page), with their levels. */}
          <CsvExport path={`doors/${encodeURIComponent(door.id)}/persons/csv`} fileName="door-access.csv" params={{}} what="persons" />
        </>
      )}
      <button type="button" class="secondary outline" onClick={onClose}>
        Close
      </button>
    </section>
  );
}
