/**
 * History fixtures as JSON: the protobuf object form of `handle.fetchHistory()` (int64s as strings, enums by name,
 * bytes in base64), written and read with the generated `History.toObject`/`fromObject` of `@temporalio/proto`.
 *
 * Why not `historyToJSON`/`historyFromJSON` from `@temporalio/common`: in this install they fail with "type must be a
 * Type", because common's protobufjs 8 JSON extension does not accept the protobufjs 7 types `@temporalio/proto` is
 * built with. The object form round-trips exactly and needs neither.
 */
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const { History } = temporal.api.history.v1;

export function historyToFixture(history: History): string {
  const object = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  return `${JSON.stringify(object, null, 1)}\n`;
}

export function historyFromFixture(json: string): History {
  return History.fromObject(JSON.parse(json) as Record<string, unknown>);
}
