/**
 * Makes sure the namespace knows the search attributes conversations set (workflows/search-attributes.ts). A workflow
 * that upserts an unknown attribute fails its workflow task over and over, so the worker checks at start and
 * registers what is missing where the server allows it (dev server, self-hosted clusters, the time-skipping test
 * server); where it does not (Temporal Cloud), it fails with the command to run.
 */
import { temporal } from '@temporalio/proto';
import type { Connection } from '@temporalio/client';
import { conversationSearchAttributes, searchAttributeFlag } from '../workflows/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const indexedTypes: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = conversationSearchAttributes.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedTypes[key.type]!])),
    });
  } catch (err) {
    const commands = missing
      .map((key) => {
        const [name, type] = searchAttributeFlag(key).split('=');
        return `  temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`;
      })
      .join('\n');
    throw new Error(
      `Threadline's search attributes are not registered in namespace ${namespace} and could not be added (${String(err)}). Register them:\n${commands}`,
    );
  }
  return missing.map((key) => key.name);
}
