import { useState } from 'preact/hooks';
import { api } from './api';
import { Field, Notice, useAction } from './ui';

interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  refused: number;
  errors: Array<{ line: number; pin: string | null; code: number; message: string }>;
  ignoredColumns: string[];
}

/** What an import did, in one line: created, updated, refused, and the columns it did not know. */
export function importSummary(fileName: string, r: ImportResult): string {
  const parts = [`${r.created} created`, `${r.updated} updated`];
  if (r.refused) parts.push(`${r.refused} refused (listed below; the other rows were saved)`);
  const ignored = r.ignoredColumns.length ? `; columns ignored: ${r.ignoredColumns.join(', ')}` : '';
  return `Imported ${fileName}: ${parts.join(', ')}${ignored}`;
}

/**
 * CVSecurity's Personnel > Import: a CSV file of persons (the export's columns, or CVSecurity's own headings). A pin
 * that exists is updated; each refused row is listed with its line, pin and the gateway's code and message, and the
 * good rows are saved and sent to their panels.
 */
/**
 * The file's text, when it is UTF-8 (with or without a byte order mark, as the export and Excel's "CSV UTF-8" write
 * it). Any other encoding is refused before anything is sent: read as UTF-8, the GBK that Excel's plain "CSV" writes on
 * a Chinese Windows (or the Windows-1252 of a European one) would turn every name with such characters into
 * replacement characters, saved and sent to the panels as such.
 */
async function utf8Text(file: File): Promise<string> {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    throw new Error(
      `${file.name} is not UTF-8 text, so its names cannot be read as written; nothing was imported. Save it again as "CSV UTF-8" (Excel's plain "CSV" writes GBK on a Chinese Windows) and import that file.`,
    );
  }
}

export function PersonImport({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const a = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    const r = await a.run(
      async () => api<ImportResult>('POST', 'persons/import', { csv: await utf8Text(file), fileName: file.name }),
      (x) => importSummary(file.name, x),
    );
    if (r) {
      setResult(r);
      onImported();
    }
  }
  return (
    <section aria-labelledby="import-h">
      <h2 id="import-h">Import persons</h2>
      <form class="row" aria-label="Import persons" onInvalidCapture={a.invalid} onSubmit={submit}>
        <Field required label="CSV file" hint="pin, name, lastName, deptCode, gender, cardNo, mobilePhone, email, accStartTime, accEndTime…; an empty cell keeps what is stored">
          <input name="file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </Field>
        <button type="submit" aria-busy={a.busy} disabled={a.busy}>
          Import
        </button>
      </form>
      <Notice error={a.error} ok={a.ok} />
      {result && result.errors.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Rows not imported">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Pin</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {result.errors.map((x) => (
                <tr key={x.line}>
                  <td>{x.line}</td>
                  <td>{x.pin}</td>
                  <td>
                    {x.message} (code {x.code})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
