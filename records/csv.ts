/**
 * CSV per RFC 4180: CRLF line ends, and a field is quoted when it holds a comma, a quote, CR or LF, or starts or ends
 * with a space; quotes inside are doubled.
 */
import type { MessageRecord } from './message-record';

/** The CSV columns, in order; arrays are joined with single spaces (phone numbers and URLs hold none). */
export const CSV_COLUMNS = [
  'id',
  'seq',
  'eventTime',
  'recordedAt',
  'kind',
  'eventType',
  'direction',
  'messageId',
  'ourNumber',
  'participants',
  'from',
  'to',
  'recipient',
  'text',
  'media',
  'segmentCount',
  'cost',
  'currency',
  'carrierName',
  'errorCode',
  'description',
  'conversationId',
  'tag',
] as const satisfies readonly (keyof MessageRecord)[];

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]|^ | $/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(record: MessageRecord): string {
  return (
    CSV_COLUMNS.map((column) => {
      const value = record[column];
      return csvField(Array.isArray(value) ? value.join(' ') : value);
    }).join(',') + '\r\n'
  );
}
