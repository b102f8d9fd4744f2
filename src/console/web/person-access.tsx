import { useState } from 'preact/hooks';
import { api } from './api';
import { CsvExport } from './csv-export';
import { DataTable, deviceLabel, Notice, Pager, useLoad } from './ui';

const TYPES: Record<string, string> = { door: 'Door', floor: 'Floor', gate: 'Gate' };

/**
 * CVSecurity's "Access rights by person": the doors (access levels), floors (elevator levels) and gates
 * (entrance-control levels) the person may pass, each with its device and the levels granting it, paged, and exported
 * as CSV. `rev` reads it again after the person's form saved (their levels may have changed).
 */
export function PersonAccess({ pin, rev }: { pin: string; rev: unknown }) {
  const [page, setPage] = useState(1);
  const list = useLoad(() => api<any>('GET', `persons/${encodeURIComponent(pin)}/access?page=${page}&size=50`), [pin, page, rev]);
  return (
    <section aria-labelledby="person-access-h">
      <h2 id="person-access-h">Access rights of {pin}</h2>
      {list.data?.left && <p>The person has left: no device holds them; these are the levels they get back when reinstated.</p>}
      {list.error ? <Notice error={list.error} /> : null}
      {list.data && (
        <>
          <DataTable
            label={`Access rights of ${pin}`}
            rows={list.data.rows}
            rowKey={(r: any) => `${r.type} ${r.devSn} ${r.point}`}
            empty="None: no level of the person holds a door, floor or gate."
            columns={[
              { head: 'Type', cell: (r: any) => TYPES[r.type] ?? r.type },
              { head: 'Door / floor / gate', cell: (r: any) => `${r.point}${r.enabled ? '' : ' (disabled)'}` },
              { head: 'Device', cell: (r: any) => deviceLabel(r.devName, r.devSn) },
              { head: 'Levels (time segment)', cell: (r: any) => r.levels.join(', ') },
            ]}
          />
          <Pager page={list.data.page} size={list.data.size} total={list.data.total} onPage={setPage} />
          <CsvExport path={`persons/${encodeURIComponent(pin)}/access/csv`} fileName="person-access.csv" params={{}} what="access rights" />
        </>
      )}
    </section>
  );
}
