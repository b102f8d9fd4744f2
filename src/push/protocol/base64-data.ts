/**
 * Whether a template's or photo's data, as a device's upload line carries it, is written in base64's alphabet once
 * read as the enrolment stores it (`\/` unescaped, blanks dropped; padding optional). Anything else is garbage from the
 * device (a firmware fault, another field run into it): taken, it was the person's template, served by getFgListByPin
 * and sent to the other devices that hold the person, which refuse it, so they never ended synced. Its length is not
 * judged, and a run of dots or ellipses at its end is let through: the manuals' examples elide their data so
 * (`Tmp=AAAAA......`, `Content=AAAAAAAAAA……`), and a suite replaying them is answered as before; a line cut short
 * is told by its own checks.
 */
export function isBase64Data(raw: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}(?:\.+|…+)?$/.test(raw.replace(/\\\//g, '/').replace(/\s+/g, ''));
}
