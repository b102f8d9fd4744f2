/**
 * `GET /iclock/getrequest?SN=<sn>&INFO=<v1>,...,<v10>[,...]` (attendance manual 9, "Uploading update information"):
 *
 *   firmware, users, fingerprints, attendance records, IP, fingerprint algorithm, face algorithm,
 *   faces needed for enrolment, faces enrolled, function bits (1 fingerprint, 2 face, 3 user photo,
 *   4 comparison photo, 5 visible-light face)[, further fields some firmware adds: 13 are seen]
 *
 * Values are positional; firmware strings may lack the `Ver ` prefix. Empty or odd values read as null.
 */
export interface AttInfo {
  firmware: string | null;
  userCount: number | null;
  fpCount: number | null;
  attLogCount: number | null;
  ip: string | null;
  fpVersion: string | null;
  faceVersion: string | null;
  faceEnrollCount: number | null;
  faceCount: number | null;
  functions: string | null;
  fingerprint: boolean;
  face: boolean;
  userPhoto: boolean;
  comparisonPhoto: boolean;
  visibleFace: boolean;
  extra: string[];
}

const n = (s: string | undefined): number | null => (s !== undefined && /^\s*-?\d{1,12}\s*$/.test(s) ? Number(s) : null);
const t = (s: string | undefined): string | null => {
  const v = (s ?? '').trim();
  return v === '' ? null : v.slice(0, 100);
};

export function parseAttInfo(raw: string | null | undefined): AttInfo | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const f = raw.split(',');
  const functions = t(f[9]);
  const bit = (i: number) => !!functions && /^[01]+$/.test(functions) && functions[i] === '1';
  return {
    firmware: t(f[0]),
    userCount: n(f[1]),
    fpCount: n(f[2]),
    attLogCount: n(f[3]),
    ip: t(f[4]),
    fpVersion: t(f[5]),
    faceVersion: t(f[6]),
    faceEnrollCount: n(f[7]),
    faceCount: n(f[8]),
    functions,
    fingerprint: bit(0),
    face: bit(1),
    userPhoto: bit(2),
    comparisonPhoto: bit(3),
    visibleFace: bit(4),
    extra: f.slice(10).map((x) => x.trim()),
  };
}
