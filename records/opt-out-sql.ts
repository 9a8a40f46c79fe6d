/**
 * The opt-out ledger's SQL that both backends share: selecting entries (a page, or one contact) with their last
 * change, and mapping rows back. Each backend spells parameters and times its own way (see {@link Params}).
 */
import type { OptOutEntry, OptOutFilter } from './opt-out';
import type { OptOutPosition, PreparedChange } from './opt-out-ledger';
import type { Params } from './query';

/** A change as both backends select it, times already in the normalised text form. */
export interface ChangeRow {
  id: string;
  scope: string;
  contact: string;
  action: PreparedChange['action'];
  source: PreparedChange['source'];
  change_time: string;
  message_id: string | null;
  keyword: string | null;
  actor: string | null;
  reason: string | null;
}

/** An entry as both backends select it: the state, and its last change's columns. */
export interface EntryRow extends ChangeRow {
  opted_out: number | boolean;
  since: string;
}

/** How a backend selects a time column as normalised text (`c.change_time` as is in SQLite, `to_char` in PostgreSQL). */
export type TimeColumn = (column: string) => string;

/** The columns of a change, over alias `c`. */
export function changeColumns(time: TimeColumn): string {
  return `c.id, c.scope, c.contact, c.action, c.source, ${time('c.change_time')} AS change_time, c.message_id,
    c.keyword, c.actor, c.reason`;
}

/** The SELECT for entries matching the filter after `after`, in (scope, contact) order, `limit` rows. */
export function entriesSql(
  time: TimeColumn,
  filter: OptOutFilter,
  after: OptOutPosition | null,
  p: Params,
  limit: number,
): string {
  const where: string[] = [];
  if (filter.scope !== undefined) where.push(`o.scope = ${p.add(filter.scope)}`);
  if (filter.contact !== undefined) where.push(`o.contact = ${p.add(filter.contact)}`);
  if (filter.optedOut !== undefined) where.push(filter.optedOut ? 'o.opted_out' : 'NOT o.opted_out');
  if (after !== null) where.push(`(o.scope, o.contact) > (${p.add(after.scope)}, ${p.add(after.contact)})`);
  return (
    `SELECT o.opted_out, ${time('o.since')} AS since, ${changeColumns(time)}
     FROM opt_outs o JOIN consent_changes c ON c.seq = o.last_change_seq` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY o.scope, o.contact LIMIT ${p.add(limit)}`
  );
}

export function rowToChange(row: ChangeRow): PreparedChange {
  return {
    id: row.id,
    scope: row.scope,
    contact: row.contact,
    action: row.action,
    source: row.source,
    time: row.change_time,
    messageId: row.message_id,
    keyword: row.keyword,
    actor: row.actor,
    reason: row.reason,
  };
}

export function rowToEntry(row: EntryRow): OptOutEntry {
  return {
    scope: row.scope,
    contact: row.contact,
    optedOut: row.opted_out === true || row.opted_out === 1,
    since: row.since,
    lastChange: rowToChange(row),
  };
}

/** Column values of a change in insert order (after which each backend adds `recorded_at` its own way). */
export const CHANGE_INSERT_COLUMNS = [
  'id',
  'scope',
  'contact',
  'action',
  'source',
  'change_time',
  'message_id',
  'keyword',
  'actor',
  'reason',
] as const;

export function changeValues(c: PreparedChange): unknown[] {
  return [c.id, c.scope, c.contact, c.action, c.source, c.time, c.messageId, c.keyword, c.actor, c.reason];
}
