/**
 * A conversation's transcript rebuilt from its message records, for when Temporal no longer has the workflow (its
 * retention removed it) or cannot answer the query. Same shape as the workflow's `transcript` query: inbound messages
 * as received, outbound messages with their per-recipient delivery status from the status records.
 */
import { addAmounts } from '../../billing/amounts';
import { SEND_ACCEPTED, type MessageRecord } from '../../records';
import type { TranscriptLine } from './schemas';

const STATUS_OF: Record<string, string> = {
  'message-sending': 'sending',
  'message-sent': 'sent',
  'message-delivered': 'delivered',
  'message-failed': 'failed',
};
const TERMINAL = new Set(['delivered', 'failed']);

/** Adds what a record costs (a message's price, a carrier surcharge) to its line. */
function charge(line: TranscriptLine, r: MessageRecord): void {
  if (r.cost === null || r.currency === null) return;
  line.cost = addAmounts(line.cost, r.cost);
  line.currency = r.currency;
}

function overall(line: TranscriptLine): string {
  const statuses = Object.values(line.recipients ?? {}).map((r) => r.status);
  const terminal = statuses.filter((s) => TERMINAL.has(s));
  if (terminal.length < line.to.length) return statuses.at(-1) ?? line.status;
  if (terminal.every((s) => s === 'delivered')) return 'delivered';
  if (terminal.every((s) => s === 'failed')) return 'failed';
  return 'partially-delivered';
}

export function transcriptFromRecords(records: readonly MessageRecord[]): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  const outbound = new Map<string, TranscriptLine>();
  const outboundLine = (r: MessageRecord): TranscriptLine => {
    const id = r.messageId ?? r.id;
    let line = outbound.get(id);
    if (!line) {
      line = {
        direction: 'out',
        messageId: r.messageId,
        from: r.from ?? r.ourNumber ?? '',
        to: r.to,
        text: '',
        media: [],
        time: r.eventTime,
        segmentCount: r.segmentCount,
        status: 'accepted',
      };
      outbound.set(id, line);
      lines.push(line);
    }
    return line;
  };

  for (const r of records) {
    if (r.kind === 'inbound') {
      lines.push({
        direction: 'in',
        messageId: r.messageId,
        from: r.from ?? '',
        to: r.to,
        text: r.text ?? '',
        media: r.media,
        time: r.eventTime,
        segmentCount: r.segmentCount,
        status: 'received',
        ...(r.cost !== null && r.currency !== null ? { cost: r.cost, currency: r.currency } : {}),
      });
    } else if (r.kind === 'outbound' && r.eventType === SEND_ACCEPTED) {
      const line = outboundLine(r);
      line.text = r.text ?? '';
      line.media = r.media;
      line.time = r.eventTime;
      line.segmentCount = r.segmentCount ?? line.segmentCount;
      charge(line, r);
    } else if (r.kind === 'status' && r.direction === 'out') {
      const line = outboundLine(r);
      charge(line, r); // a carrier surcharge
      const status = STATUS_OF[r.eventType] ?? r.eventType;
      const recipient = r.recipient ?? r.to[0] ?? '';
      const previous = line.recipients?.[recipient];
      // Records come in event-time order, but a late intermediate event never overrides a terminal one.
      if (previous && TERMINAL.has(previous.status) && !TERMINAL.has(status)) continue;
      line.recipients = {
        ...line.recipients,
        [recipient]: {
          status,
          ...(r.errorCode !== null ? { errorCode: r.errorCode } : {}),
          ...(r.description !== null ? { description: r.description } : {}),
          time: r.eventTime,
        },
      };
      if (r.errorCode !== null) line.errorCode = r.errorCode;
      line.status = overall(line);
    }
  }
  return lines;
}
