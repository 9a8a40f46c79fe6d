/**
 * Which price table a load run costs its messages with: a `--prices` file, else THREADLINE_PRICE_TABLE (inline JSON
 * or a path to a JSON file, as the server reads it), else billing/price-table.ts's DEFAULT_PRICE_TABLE.
 */
import fs from 'node:fs';
import { DEFAULT_PRICE_TABLE, PriceTableSchema, type PriceTable } from '../billing/price-table';

/** The table and where it came from (`default`, `THREADLINE_PRICE_TABLE`, or the file's path). */
export function loadPriceTable(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { table: PriceTable; source: string } {
  const fromEnv = env.THREADLINE_PRICE_TABLE?.trim();
  const [text, source] = file
    ? [read(file, '--prices'), file]
    : fromEnv
      ? [fromEnv.startsWith('{') ? fromEnv : read(fromEnv, 'THREADLINE_PRICE_TABLE'), 'THREADLINE_PRICE_TABLE']
      : [undefined, 'default'];
  if (text === undefined) return { table: DEFAULT_PRICE_TABLE, source };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`);
  }
  const parsed = PriceTableSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(table)'}: ${i.message}`);
    throw new Error(`${source}: not a price table: ${problems.join('; ')}`);
  }
  return { table: parsed.data, source };
}

function read(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${what}: cannot read ${file} (${(err as Error).message})`);
  }
}
