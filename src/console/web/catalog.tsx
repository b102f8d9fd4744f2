import { useState } from 'preact/hooks';
import { api } from './api';
import type { Me } from './main';
import { Notice, useLoad } from './ui';

const TABS = [
  { key: 'levels', label: 'Access levels', cols: [['name', 'Name'], ['timeSegment', 'Time segment'], ['area', 'Area'], ['doors', 'Doors'], ['persons', 'Persons']] },
  { key: 'departments', label: 'Departments', cols: [['code', 'Code'], ['name', 'Name'], ['parentCode', 'Parent']] },
  { key: 'areas', label: 'Areas', cols: [['code', 'Code'], ['name', 'Name'], ['parentCode', 'Parent']] },
  { key: 'time-segments', label: 'Time segments', cols: [['name', 'Name'], ['tzId', 'Device id'], ['remark', 'Remark']] },
  { key: 'holidays', label: 'Holidays', cols: [['name', 'Name'], ['startDate', 'From'], ['endDate', 'Until'], ['isLoopByYear', 'Every year']] },
] as const;

function cell(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v === null || v === undefined ? '' : String(v);
}

/** Levels, departments, areas, time segments and holidays as the gateway holds them (edited through the REST API for now). */
export function CatalogPage(_: { me: Me }) {
  const [tab, setTab] = useState<(typeof TABS)[number]['key']>('levels');
  const current = TABS.find((t) => t.key === tab)!;
  const list = useLoad(() => api('GET', `catalog/${tab}`), [tab]);
  return (
    <>
      <div role="tablist" aria-label="Reference lists" class="actions">
        {TABS.map((t) => (
          <button key={t.key} type="button" role="tab" id={`tab-${t.key}`} aria-selected={t.key === tab} aria-controls="catalog-panel" class={t.key === tab ? '' : 'secondary outline'} onClick={() => setTab(t.key)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="catalog-panel" aria-labelledby={`tab-${tab}`}>
        <Notice error={list.error} />
        <table>
          <thead>
            <tr>
              {current.cols.map(([, label]) => (
                <th scope="col" key={label}>
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((row: any, i: number) => (
              <tr key={row.id ?? row.code ?? i}>
                {current.cols.map(([k]) => (
                  <td key={k}>{cell(row[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
