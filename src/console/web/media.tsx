import { useState } from 'preact/hooks';
import { api } from './api';
import type { Me } from './main';
import { can, LoadedTable, Field, Notice, useAction, useConfirm, useLoad } from './ui';

const TYPES: Record<string, string> = { '1': 'picture', '2': 'video' };

/** The file as base64, read in the browser (the console API takes JSON). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('The file could not be read'));
    r.readAsDataURL(file);
  });
}

/** The media library advertising screens show: list, upload (a name that exists is replaced), delete. */
export function MediaPage({ me }: { me: Me }) {
  const list = useLoad(() => api('GET', 'media'));
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const a = useAction();
  const confirm = useConfirm();
  const mayAct = can(me.role, 'operator');
  async function upload(e: Event) {
    e.preventDefault();
    if (!file) return;
    const f = file;
    const saved = await a.run(async () => api('POST', 'media', { mediaName: name.trim(), fileName: f.name, mimeType: f.type, content: await readBase64(f) }), (m: any) => `Media ${m.mediaName} saved (${m.mediaSize})`);
    if (saved) {
      setName('');
      setFile(null);
      (e.target as HTMLFormElement).reset();
    }
    list.reload();
  }
  return (
    <>
      <Notice error={a.error} ok={a.ok} />
      {mayAct && (
        <form class="row" aria-label="Upload media" onInvalidCapture={a.invalid} onSubmit={upload}>
          <Field required label="Media name">
            <input name="mediaName" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field required label="File (picture or video)" hint="JPG, PNG, BMP, GIF, MP4, AVI… up to 7 MB here">
            <input name="file" type="file" accept="image/*,video/*" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
          </Field>
          <button type="submit" aria-busy={a.busy} disabled={a.busy}>
            Upload
          </button>
        </form>
      )}
      <LoadedTable
        load={list}
        label="Media"
        rowKey={(m: any) => m.id}
        empty="No media yet."
        columns={[
          { head: 'Name', cell: (m: any) => m.mediaName },
          { head: 'Type', cell: (m: any) => TYPES[m.mediaType] ?? m.mediaType },
          { head: 'Format', cell: (m: any) => m.mediaSuffix },
          { head: 'Size', cell: (m: any) => m.mediaSize },
          {
            head: 'Preview',
            cell: (m: any) =>
              m.mediaType === '1' ? (
                <img class="thumb" src={m.mediaPath} alt={`Preview of ${m.mediaName}`} loading="lazy" />
              ) : (
                <a href={m.mediaPath} target="_blank" rel="noopener">
                  play
                </a>
              ),
          },
          mayAct && {
            head: 'Actions',
            cell: (m: any) => (
              <div class="actions">
                <button
                  type="button"
                  class="secondary outline"
                  aria-label={`Delete ${m.mediaName}`}
                  onClick={() =>
                    confirm.ask({
                      title: 'Delete media',
                      confirmLabel: `Delete ${m.mediaName}`,
                      danger: true,
                      question: `Delete ${m.mediaName}? Screens that were given its address can no longer fetch it.`,
                      run: async () => (await a.run(() => api('DELETE', `media/${encodeURIComponent(m.mediaName)}`), `Media ${m.mediaName} deleted`), list.reload()),
                    })
                  }
                >
                  Delete
                </button>
              </div>
            ),
          },
        ]}
      />
      {confirm.dialog}
    </>
  );
}
