/**
 * Event times in one sortable form. Bandwidth sends `time` with anything from whole seconds to microseconds
 * (`2016-09-14T18:20:16Z`, `2024-09-14T18:20:17.160544Z`); JavaScript's Date keeps only milliseconds. The store keeps
 * every time as UTC with exactly six fractional digits, so times sort correctly as text and nothing is lost.
 */

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Normalises an ISO 8601 time to `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds), or returns null when it is not a
 * valid time. A date alone means midnight UTC; a time without an offset is taken as UTC. Digits beyond microseconds
 * are truncated.
 */
export function normalizeTime(value: string): string | null {
  const m = ISO_TIME.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', , sign, offH, offM] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  check.setUTCHours(hour, minute, second, 0);
  const local = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null; // e.g. 2025-02-30
  let offsetMinutes = 0;
  if (sign) {
    const oh = Number(offH);
    const om = Number(offM);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(local - offsetMinutes * 60_000);
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  return (
    `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}` +
    `T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}.${micros}Z`
  );
}

/** The current time in the store's form. */
export function nowTime(): string {
  return normalizeTime(new Date().toISOString()) as string;
}
