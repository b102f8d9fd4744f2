import { api } from './api';
import { DataTable, Notice, useAction, useConfirm } from './ui';

/** Appendix 18's kinds as an operator names them. */
const KINDS: Record<string, string> = {
  fingerprint: 'Fingerprints',
  nirFace: 'Face (near-infrared)',
  visibleFace: 'Face (visible light)',
  palmprint: 'Palm print',
  fingerVein: 'Finger vein',
  palmVein: 'Palm vein',
  visiblePalm: 'Palm (visible light)',
  iris: 'Iris',
  retina: 'Retina',
  voiceprint: 'Voiceprint',
};

type BioRow = { bioType: number; name: string; templates: number; templateNos?: number[] };

/**
 * The templates a person has enrolled (CVSecurity's person form shows the fingerprints and faces), by kind, each kind
 * deleted after a confirmation, and each finger's fingerprint on its own (CVSecurity deletes one finger from the
 * person's fingerprint dialog): the devices that hold the person are told to drop them in the same transaction.
 */
export function PersonBiometrics({ pin, rows, mayEdit, onChanged }: { pin: string; rows: BioRow[]; mayEdit: boolean; onChanged: () => void }) {
  const a = useAction();
  const confirm = useConfirm();
  const kind = (r: { name: string }) => KINDS[r.name] ?? r.name;
  function removeFinger(no: number) {
    confirm.ask({
      title: 'Delete a fingerprint',
      confirmLabel: `Delete finger ${no} of ${pin}`,
      danger: true,
      question: `Delete the fingerprint of finger ${no} of ${pin}? The devices holding the person are told to drop that finger only; the others stay.`,
      run: async () => {
        if ((await a.run(() => api('POST', `persons/${encodeURIComponent(pin)}/biometrics/fingers/delete`, { templateNo: no }), `Finger ${no} of ${pin} deleted; the devices are told to drop it`)) !== undefined) onChanged();
      },
    });
  }
  function remove(r: BioRow) {
    confirm.ask({
      title: 'Delete templates',
      confirmLabel: `Delete ${kind(r).toLowerCase()} of ${pin}`,
      danger: true,
      question: `Delete the ${r.templates} ${kind(r).toLowerCase()} template${r.templates === 1 ? '' : 's'} of ${pin}? The devices holding the person are told to drop them; the person enrols again at a device.`,
      run: async () => {
        if ((await a.run(() => api('POST', `persons/${encodeURIComponent(pin)}/biometrics/delete`, { bioType: r.bioType }), `${kind(r)} of ${pin} deleted; the devices are told to drop them`)) !== undefined) onChanged();
      },
    });
  }
  return (
    <section aria-labelledby="bio-h">
      <h2 id="bio-h">Biometric templates</h2>
      <Notice error={a.error} ok={a.ok} />
      <DataTable
        label="Biometric templates"
        rows={rows}
        rowKey={(r) => String(r.bioType)}
        empty="None enrolled: the person enrols fingerprints or a face at a device, or an integration sends them (bioTemplate/add)."
        columns={[
          { head: 'Kind', cell: (r) => kind(r) },
          { head: 'Templates', cell: (r) => r.templates },
          {
            head: 'Fingers',
            cell: (r) =>
              r.name === 'fingerprint' ? (
                <div class="actions">
                  {(r.templateNos ?? []).map((no) =>
                    mayEdit ? (
                      <button key={no} type="button" class="secondary outline" aria-label={`Delete finger ${no} of ${pin}`} onClick={() => removeFinger(no)}>
                        Finger {no} ✕
                      </button>
                    ) : (
                      <span key={no}>Finger {no} </span>
                    ),
                  )}
                </div>
              ) : (
                ''
              ),
          },
          mayEdit && {
            head: 'Action',
            cell: (r) => (
              <button type="button" class="secondary outline" aria-label={`Delete ${kind(r).toLowerCase()} of ${pin}`} onClick={() => remove(r)}>
                Delete
              </button>
            ),
          },
        ]}
      />
      {confirm.dialog}
    </section>
  );
}
