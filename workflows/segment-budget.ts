/**
 * A bot's segment budget: how many SMS segments one of its texts may take, and whether it may turn into UCS-2 (one
 * emoji or curly quote makes the whole text UCS-2: 70 characters a segment instead of 160). `say` checks every SMS
 * against it before sending; over budget, the text is sent with a warning, or refused.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { isGsm7, smsSegmentInfo, type SmsEncoding } from '../bandwidth/segments';

/**
 * The most a bot's text may cost in segments. Set per bot (`defineBot(body, { segmentBudget })`) or per send
 * (`chat.say(text, { segmentBudget })`). Only SMS are checked: an MMS or a group message is one message whatever
 * its text.
 * @example
 * export const bot = defineBot(body, { segmentBudget: { perMessage: 2, encoding: 'gsm7-only', onExceed: 'refuse' } });
 */
export interface SegmentBudget {
  /** Most SMS segments one text may take (1 segment: 160 GSM-7 characters, or 70 in UCS-2; then 153 or 67 a part). */
  perMessage?: number;
  /** `'gsm7-only'`: a text that needs UCS-2 exceeds the budget. Default `'any'`. */
  encoding?: 'gsm7-only' | 'any';
  /**
   * Over budget: `'warn'` (default) sends it, logs a warning and marks its transcript entry (`segmentWarning`);
   * `'refuse'` sends nothing and throws {@link SEGMENT_BUDGET_EXCEEDED} (catch it with {@link isSegmentBudgetExceeded}).
   */
  onExceed?: 'warn' | 'refuse';
}

/**
 * The `ApplicationFailure` type `say` throws when a text is over a budget whose `onExceed` is `'refuse'`.
 * @example
 * if (err instanceof ApplicationFailure && err.type === SEGMENT_BUDGET_EXCEEDED) await chat.say('Details: acme.example/d');
 */
export const SEGMENT_BUDGET_EXCEEDED = 'SegmentBudgetExceeded';

/**
 * What a refused text's failure carries in `details[0]`.
 * @example
 * if (isSegmentBudgetExceeded(err)) {
 *   const excess = err.details?.[0] as SegmentBudgetExcess;
 *   console.log(`${excess.segments} segments in ${excess.encoding}, because of ${excess.ucs2Characters.join(' ')}`);
 * }
 */
export interface SegmentBudgetExcess {
  segments: number;
  encoding: SmsEncoding;
  /** The characters that made the text UCS-2 (at most ten, each once). */
  ucs2Characters: string[];
  budget: SegmentBudget;
}

/**
 * True for the failure `say` throws when a text is over a refusing budget.
 * @example
 * try {
 *   await chat.say(text);
 * } catch (err) {
 *   if (!isSegmentBudgetExceeded(err)) throw err;
 *   await chat.say(shorter);
 * }
 */
export function isSegmentBudgetExceeded(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === SEGMENT_BUDGET_EXCEEDED;
}

/** Why `text` is over `budget`, or null when it is within it. */
export function segmentBudgetExcess(
  text: string,
  budget: SegmentBudget,
): { reason: string; excess: SegmentBudgetExcess } | null {
  const info = smsSegmentInfo(text);
  const ucs2Characters = [...new Set([...text].filter((ch) => !isGsm7(ch)))].slice(0, 10);
  const reasons: string[] = [];
  if (budget.encoding === 'gsm7-only' && info.encoding === 'UCS-2') {
    reasons.push(`it needs UCS-2 because of ${ucs2Characters.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  if (budget.perMessage !== undefined && info.segments > budget.perMessage) {
    reasons.push(`it takes ${info.segments} segments (${info.encoding}), more than the ${budget.perMessage} allowed`);
  }
  if (reasons.length === 0) return null;
  return {
    reason: `Over the segment budget: ${reasons.join(', and ')}.`,
    excess: { segments: info.segments, encoding: info.encoding, ucs2Characters, budget },
  };
}

/**
 * Checks a text `say` is about to send: null when it may go as it is, a warning to note when it goes over a warning
 * budget; throws {@link SEGMENT_BUDGET_EXCEEDED} (non-retryable) over a refusing one.
 */
export function checkSegmentBudget(text: string, budget: SegmentBudget | undefined | false): string | null {
  if (!budget) return null;
  const over = segmentBudgetExcess(text, budget);
  if (over === null) return null;
  if (budget.onExceed === 'refuse') {
    throw ApplicationFailure.create({
      type: SEGMENT_BUDGET_EXCEEDED,
      message: `${over.reason} Nothing was sent: ${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? '…' : ''}`,
      nonRetryable: true,
      details: [over.excess],
    });
  }
  return over.reason;
}
