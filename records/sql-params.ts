/**
 * How each backend spells parameters and times in SQL: `?` in SQLite, `$1`, `$2`, ... in PostgreSQL (with casts where
 * needed); times as stored in SQLite (already normalised text), through `to_char` in PostgreSQL.
 */
import type { Params } from './query';

export function sqliteParams(): Params {
  const values: unknown[] = [];
  const add = (value: unknown) => {
    values.push(value);
    return '?';
  };
  return { values, add, time: add, seq: add };
}

export function postgresParams(): Params {
  const values: unknown[] = [];
  const add = (value: unknown, cast = '') => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  return { values, add: (v) => add(v), time: (v) => add(v, '::timestamptz'), seq: (v) => add(v, '::bigint') };
}

/** A `timestamptz` column selected in the store's normalised form (`2025-06-20T16:13:21.480000Z`). */
export const postgresTime = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
