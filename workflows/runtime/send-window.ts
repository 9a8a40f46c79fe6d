/**
 * Quiet hours: a proactive message waits until the send window is open in every recipient's local time; a reply (a
 * participant texted within {@link REPLY_WINDOW}, or texts while it waits) never waits. Whether the window is open, and when it opens, comes
 * from the `nextSendWindow` local activity: time-zone rules and number-to-zone data change with library and Node
 * versions, so the workflow records the answer instead of computing it. The wait is a deadline on the conversation's
 * one durable timer, shown as `waiting-for-send-window` with its label (`quiet hours until 2026-12-02 08:00
 * America/Chicago`) in the current details. An answer's open period is remembered, so further proactive messages
 * inside it go out without asking again.
 *
 * Only the bot's messages wait: an operator's message (the `operatorMessage` signal) goes through `send`, not `say`;
 * a human chose to send it then, and it is never held.
 *
 * Contacts' time zones set by the operator (`ConversationStart.timeZones`) or the bot (`chat.setTimeZone`) replace
 * their numbers' zones, and are carried across continue-as-new.
 */
import { ApplicationFailure, condition, log, patched } from '@temporalio/workflow';
import { nextSendWindow } from '../activity-options';
import type { QuietHoursWindow, SendWindow } from '../bot-options';
import { DEFAULT_SEND_WINDOW, REPLY_WINDOW } from '../defaults';
import { parseDuration } from '../duration';
import type { WaitEvent } from '../wait-event';
import type { ConversationContext } from './context';
import type { Race } from './race';
import type { EventBuilders } from './wait-events';

/** Conversations recorded before quiet hours sent proactive messages without asking; `patched` keeps them replaying. */
export const QUIET_HOURS_PATCH = 'quiet-hours-before-proactive-sends';

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
/** An IANA zone name's shape (`UTC`, `America/Chicago`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

export interface SendWindowGate {
  /**
   * Resolves when the bot's next message may go out: at once for a reply or `'any-time'`, otherwise once the
   * window (`perSend`, else the bot's, else {@link DEFAULT_SEND_WINDOW}) is open for every recipient.
   */
  hold(perSend: SendWindow | undefined): Promise<void>;
}

export function createSendWindowGate(ctx: ConversationContext, race: Race, events: EventBuilders): SendWindowGate {
  const { start, memory, visibility } = ctx;
  /** The last answer's open period, valid while the window and the zones it was asked for stay the same. */
  let open: { key: string; from: number; until: number } | null = null;

  /** A participant texted a moment ago (a consent keyword is not a conversation): the message answers them. */
  function isReply(): boolean {
    for (let i = memory.transcript.length - 1; i >= 0; i--) {
      const entry = memory.transcript[i]!;
      if (entry.direction === 'in' && entry.keyword === undefined)
        return Date.now() - Date.parse(entry.time) <= parseDuration(REPLY_WINDOW);
    }
    return false;
  }

  async function hold(perSend: SendWindow | undefined): Promise<void> {
    const window = perSend ?? ctx.options.sendWindow ?? DEFAULT_SEND_WINDOW;
    if (window === 'any-time') return;
    checkWindow(window);
    for (;;) {
      if (isReply()) return;
      const key = JSON.stringify([window.from, window.to, memory.timeZones]);
      const now = Date.now();
      if (open?.key === key && open.from <= now && now < open.until) return;
      if (!patched(QUIET_HOURS_PATCH)) return;
      const answer = await nextSendWindow({
        recipients: [...start.participants],
        ourNumber: start.ourNumber,
        window: { from: window.from, to: window.to },
        timeZones: { ...memory.timeZones },
        now: new Date(now).toISOString(),
      });
      if (answer.ignoredTimeZones.length > 0) {
        log.warn('unknown time zones set for contacts: their numbers decide their quiet hours', {
          conversationId: ctx.id,
          ignored: answer.ignoredTimeZones,
        });
      }
      open = { key, from: Date.parse(answer.opensAt), until: Date.parse(answer.closesAt) };
      if (answer.openNow) return;
      const until = events.timer(Math.max(1, open.from - Date.now()), `quiet hours until ${answer.opensAtLocal}`);
      // A participant texting meanwhile makes the message a reply: it goes out then.
      const texted: WaitEvent<void> = {
        label: 'or a text from a participant',
        start: () => undefined,
        stop: () => undefined,
        ready: isReply,
        take: () => undefined,
      };
      await race({ window: { ...until, kind: 'send-window' }, texted });
      if (!memory.paused) return;
      // A human took over while the message waited: it waits for them, then for the window again if it has closed.
      memory.state = 'sending';
      visibility.index();
      await condition(() => !memory.paused);
    }
  }

  return { hold };
}

/**
 * `chat.setTimeZone`: the zone a contact's quiet hours are counted in, replacing their number's zones (`null` goes
 * back to the number's). Only the name's shape is checked here; a zone the worker's time-zone data does not know is
 * ignored when the window is worked out (and logged).
 */
export function createTimeZoneSetter({ id, start, memory }: ConversationContext) {
  return function setTimeZone(contact: string, timeZone: string | null): void {
    if (!start.participants.includes(contact)) {
      throw ApplicationFailure.nonRetryable(`setTimeZone: ${contact} is not a participant of ${id}`, 'InvalidArgument');
    }
    if (timeZone === null) {
      delete memory.timeZones[contact];
      return;
    }
    if (!ZONE_NAME.test(timeZone)) {
      throw ApplicationFailure.nonRetryable(
        `setTimeZone: ${JSON.stringify(timeZone)} is not a time zone name such as 'America/Chicago'`,
        'InvalidArgument',
      );
    }
    memory.timeZones[contact] = timeZone;
  };
}

function checkWindow(window: QuietHoursWindow): void {
  if (!TIME_OF_DAY.test(window.from) || !TIME_OF_DAY.test(window.to) || window.to <= window.from) {
    throw ApplicationFailure.nonRetryable(
      `A send window is two times of day, HH:MM, the second later than the first; got ${JSON.stringify(window)}.`,
      'InvalidArgument',
    );
  }
}
