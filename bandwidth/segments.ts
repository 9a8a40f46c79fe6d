/**
 * SMS segment counting as Bandwidth reports it in `segmentCount` (reference §6).
 *
 * - MMS (any media) and group messages (more than one recipient) are always 1 segment.
 * - Text made only of GSM 03.38 characters is GSM-7: 160 septets fit one segment, longer text is split into
 *   153-septet parts (a 7-septet UDH is taken by concatenation). Extension-table characters cost 2 septets.
 * - Anything else is UCS-2: 70 UTF-16 code units in one segment, 67 per part otherwise. Characters outside the BMP
 *   (most emoji) are surrogate pairs and cost 2 units.
 * - Parts are packed greedily without splitting an escape pair or a surrogate pair, which is what carriers and the
 *   common calculators do; it differs from `ceil(units / 153)` only when a 2-unit character straddles a boundary.
 */

/** GSM 03.38 default alphabet (one septet each). `ç` is not in it: the table's 0x09 is upper-case `Ç`. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** GSM 03.38 extension table (ESC + char, two septets each). */
const GSM_EXTENSION = '^{}\\[~]|€\f';

const basicSet = new Set(GSM_BASIC);
const extensionSet = new Set(GSM_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text needs. */
  units: number;
  /** Number of SMS segments. */
  segments: number;
  /** Units per segment used for this text: 160/153 or 70/67. */
  unitsPerSegment: number;
}

/** True when every character of `text` can be sent in GSM-7 (default alphabet or extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) {
    if (!basicSet.has(ch) && !extensionSet.has(ch)) return false;
  }
  return true;
}

/** Cost in units of each character of `text` under `encoding` (1 or 2). */
function unitCosts(text: string, encoding: SmsEncoding): number[] {
  const costs: number[] = [];
  for (const ch of text) {
    if (encoding === 'GSM-7') costs.push(extensionSet.has(ch) ? 2 : 1);
    else costs.push(ch.length); // a surrogate pair is 2 UTF-16 units
  }
  return costs;
}

/** Segment details of an SMS text body. */
export function smsSegmentInfo(text: string): SegmentInfo {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const single = encoding === 'GSM-7' ? 160 : 70;
  const multi = encoding === 'GSM-7' ? 153 : 67;
  const costs = unitCosts(text, encoding);
  const units = costs.reduce((a, b) => a + b, 0);
  if (units <= single) return { encoding, units, segments: 1, unitsPerSegment: single };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, segments, unitsPerSegment: multi };
}

/**
 * Bandwidth's `segmentCount` for a message: 1 for MMS (media present) and group messages, otherwise the SMS segment
 * count of `text` (an empty or missing text is 1 segment).
 */
export function segmentCount(message: { text?: string; media?: readonly string[]; to: readonly string[] }): number {
  if ((message.media?.length ?? 0) > 0 || message.to.length > 1) return 1;
  return smsSegmentInfo(message.text ?? '').segments;
}
