/**
 * Persons as CSV, CVSecurity's Personnel > Person > Export / Import: the export's columns, and an import file read
 * back into person/add writes. Pure: no database here (persons.controller.ts writes through PersonService).
 */
import type { CsvColumns } from './console-csv';

/** A person row of the export (persons.controller.ts reads them in pages). */
export interface PersonCsvRow {
  pin: string;
  name: string | null;
  lastName: string | null;
  deptCode: string;
  deptName: string;
  gender: string | null;
  cardNo: string | null;
  mobilePhone: string | null;
  email: string | null;
  birthday: string | null;
  hireDate: string | null;
  accStartTime: string | null;
  accEndTime: string | null;
}

/** The export's columns: the REST API's field names, so that the file imports back unchanged. */
export const PERSON_CSV_COLUMNS: CsvColumns<PersonCsvRow> = [
  ['pin', (r) => r.pin],
  ['name', (r) => r.name],
  ['lastName', (r) => r.lastName],
  ['deptCode', (r) => r.deptCode],
  ['deptName', (r) => r.deptName],
  ['gender', (r) => r.gender],
  ['cardNo', (r) => r.cardNo],
  ['mobilePhone', (r) => r.mobilePhone],
  ['email', (r) => r.email],
  ['birthday', (r) => r.birthday],
  ['hireDate', (r) => r.hireDate],
  ['accStartTime', (r) => r.accStartTime],
  ['accEndTime', (r) => r.accEndTime],
];

/** The person/add fields an import column fills (deptName is resolved to a deptCode by the controller). */
export type PersonCsvField = 'pin' | 'name' | 'lastName' | 'deptCode' | 'deptName' | 'gender' | 'cardNo' | 'mobilePhone' | 'email' | 'birthday' | 'hireDate' | 'accStartTime' | 'accEndTime';

/**
 * Header names an import accepts for each field: ours (the export's), and the English headings of CVSecurity's
 * own personnel export and import template, compared without case, spaces, dots, underscores or a trailing "*"
 * (its template marks the required columns so).
 */
const HEADERS: Record<PersonCsvField, string[]> = {
  pin: ['pin', 'personnelid', 'personid', 'personnelno', 'personpin', 'id', 'userid', 'employeeid'],
  name: ['name', 'firstname', 'personname'],
  lastName: ['lastname', 'surname', 'familyname'],
  deptCode: ['deptcode', 'departmentnumber', 'departmentno', 'departmentcode', 'deptno'],
  deptName: ['deptname', 'departmentname', 'department'],
  gender: ['gender', 'sex'],
  cardNo: ['cardno', 'cardnumber', 'card'],
  mobilePhone: ['mobilephone', 'mobile', 'mobileno', 'phone', 'phonenumber'],
  email: ['email', 'mail', 'emailaddress'],
  birthday: ['birthday', 'birthdate', 'dateofbirth'],
  hireDate: ['hiredate', 'hireddate', 'employmentdate', 'dateofhire'],
  accStartTime: ['accstarttime', 'starttime', 'validfrom', 'effectivetime', 'validstarttime', 'starttimeofvalidity'],
  accEndTime: ['accendtime', 'endtime', 'validuntil', 'expirytime', 'validendtime', 'endtimeofvalidity'],
};

const normalHeader = (h: string) => h.toLowerCase().replace(/[\s._*-]/g, '');

/**
 * RFC 4180 records: quoted fields (with "" and line breaks inside), CRLF or LF, a UTF-8 byte order mark first
 * (Excel writes one; our export too), a `;` delimiter when the header line has more of them than commas (Excel
 * in a locale whose decimal mark is the comma saves CSV so). Blank lines are skipped; each record keeps the
 * line it starts on (what an operator looks for in the file).
 */
export function parseCsv(text: string): Array<{ line: number; cells: string[] }> {
  const src = text.replace(/^\ufeff/, '');
  const firstLine = src.slice(0, src.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const out: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0].trim() !== '') out.push({ line: startLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) cells.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return out;
}

/** A cell as written by our export: a leading `'` it put before = + - @ (so a spreadsheet runs no formula) taken off. */
export function cellValue(raw: string): string {
  const v = raw.trim();
  return /^'[=+\-@]/.test(v) ? v.slice(1) : v;
}

/** Gender as person/add stores it: M or F (CVSecurity's templates write Male/Female). */
function genderOf(v: string): string {
  const g = v.toLowerCase();
  if (g === 'male' || g === 'm') return 'M';
  if (g === 'female' || g === 'f') return 'F';
  return v;
}

export interface PersonCsvRecord {
  /** The file's line the record starts on. */
  line: number;
  /** The fields given (a cell left empty is not given: the stored value stays). */
  fields: Partial<Record<PersonCsvField, string>>;
}

/**
 * The import file's records as person fields, by its header line. Refuses (a message) a file without a header
 * naming the pin column; columns it does not know are listed so the page can say they were ignored.
 */
export function readPersonCsv(text: string): { records: PersonCsvRecord[]; ignored: string[] } | { error: string } {
  const rows = parseCsv(text);
  if (rows.length === 0) return { error: 'The file is empty: the first line must name the columns (pin, name, lastName, deptCode, …)' };
  const [header, ...data] = rows;
  const byHeader = new Map<string, PersonCsvField>();
  for (const [field, names] of Object.entries(HEADERS) as Array<[PersonCsvField, string[]]>) for (const n of names) byHeader.set(n, field);
  const columns = header.cells.map((h) => byHeader.get(normalHeader(h)));
  if (!columns.includes('pin')) return { error: `The first line names no pin column (pin, or CVSecurity's "Personnel ID"): ${header.cells.join(', ')}` };
  const ignored = header.cells.filter((h, i) => !columns[i] && h.trim() !== '');
  const records = data.map((r) => {
    const fields: Partial<Record<PersonCsvField, string>> = {};
    r.cells.forEach((raw, i) => {
      const field = columns[i];
      const v = cellValue(raw);
      // A column named twice: the first non-empty cell counts.
      if (field && v !== '' && fields[field] === undefined) fields[field] = field === 'gender' ? genderOf(v) : v;
    });
    return { line: r.line, fields };
  });
  return { records, ignored };
}
