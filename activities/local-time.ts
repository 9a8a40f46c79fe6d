/**
 * Wall-clock time in a time zone, from the IANA time-zone data the Node runtime ships (`Intl`): what a clock in a zone
 * reads at an instant, and the instant it reads a given time on a given day. The answers depend on the runtime's data
 * (a zone's rules change by law), so workflow code never computes them: it asks an activity, whose result its history
 * records. Activities and the kit use this module; workflows must not.
 */

/** What a clock in a zone reads: its date, time of day and weekday. */
export interface WallClock {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** `'Monday'` to `'Sunday'`. */
  weekday: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'long',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  return format;
}

/**
 * True when this runtime knows `zone` (an IANA name such as `America/Chicago`).
 * @example isTimeZone('America/Chicago'); // true
 */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a clock in `zone` reads at `instant` (epoch milliseconds).
 * @example wallClock(Date.parse('2026-12-01T03:00:00Z'), 'America/New_York').hour; // 22
 */
export function wallClock(instant: number, zone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: parts.weekday ?? '',
  };
}

/** The clock's reading as if it were UTC, in epoch milliseconds: differences between readings are local durations. */
function reading(instant: number, zone: string): number {
  const c = wallClock(instant, zone);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
}

/**
 * The first instant at which a clock in `zone` reads `minutes` past midnight on `date`, or later. Usually the instant
 * it reads exactly that; on a day the clocks go forward over that time (02:30 on a spring-forward night), the instant
 * of the jump; on a day they go back, the first of the two.
 * @example
 * new Date(instantAt({ year: 2026, month: 12, day: 2 }, 8 * 60, 'America/New_York')).toISOString();
 * // '2026-12-02T13:00:00.000Z'
 */
export function instantAt(date: { year: number; month: number; day: number }, minutes: number, zone: string): number {
  const wanted = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  // The offset at a guess, then at the first answer: two rounds settle every zone outside a transition.
  const first = wanted - (reading(wanted, zone) - wanted);
  const second = wanted - (reading(first, zone) - first);
  const earliest = [second, first].sort((a, b) => a - b).find((t) => reading(t, zone) === wanted);
  if (earliest !== undefined) return earliest;
  // The clock skips the wanted time: search, minute by minute, for the first instant it reads later.
  let before = Math.min(first, second);
  let after = Math.max(first, second);
  while (after - before > 60_000) {
    const middle = before + Math.floor((after - before) / 120_000) * 60_000;
    if (reading(middle, zone) >= wanted) after = middle;
    else before = middle;
  }
  return after;
}

/**
 * The local date `days` after the date a clock in `zone` reads at `instant`.
 * @example localDate(Date.parse('2026-12-01T03:00:00Z'), 'America/New_York', 1); // { year: 2026, month: 12, day: 1 }
 */
export function localDate(instant: number, zone: string, days = 0): { year: number; month: number; day: number } {
  const c = wallClock(instant, zone);
  const shifted = new Date(Date.UTC(c.year, c.month - 1, c.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/**
 * The next instant after `instant` at which a clock in `zone` reads `minutes` past midnight.
 * @example nextAt(Date.parse('2026-12-01T03:00:00Z'), 8 * 60, 'America/New_York'); // 2026-12-01T13:00:00Z
 */
export function nextAt(instant: number, minutes: number, zone: string): number {
  for (let days = -1; ; days++) {
    const candidate = instantAt(localDate(instant, zone, days), minutes, zone);
    if (candidate > instant) return candidate;
  }
}

/**
 * `HH:MM` as minutes past midnight; throws on anything else.
 * @example minutesOf('21:30'); // 1290
 */
export function minutesOf(time: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`not a time of day (HH:MM, 00:00 to 23:59): ${JSON.stringify(time)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * `YYYY-MM-DD HH:MM` as a clock in `zone` reads it at `instant`.
 * @example formatLocal(Date.parse('2026-12-01T13:00:00Z'), 'America/New_York'); // '2026-12-01 08:00'
 */
export function formatLocal(instant: number, zone: string): string {
  const c = wallClock(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${c.year}-${two(c.month)}-${two(c.day)} ${two(c.hour)}:${two(c.minute)}`;
}
