/**
 * Which price table a load run costs its messages with: a `--prices` file, else THREADLINE_PRICE_TABLE, else
 * billing/price-table.ts's DEFAULT_PRICE_TABLE. Both are read as the server reads THREADLINE_PRICE_TABLE
 * (config/price-settings.ts: inline JSON or a JSON file's path).
 */
import { z } from 'zod';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../billing/price-table';
import { priceVariables } from '../config/price-settings';

const PricesSchema = z.object(priceVariables);

/** The table and where it came from (`default`, `THREADLINE_PRICE_TABLE`, or the file's path). */
export function loadPriceTable(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { table: PriceTable; source: string } {
  const fromEnv = env.THREADLINE_PRICE_TABLE?.trim() || undefined;
  const [value, source] = file ? [file, file] : fromEnv ? [fromEnv, 'THREADLINE_PRICE_TABLE'] : [undefined, 'default'];
  const parsed = PricesSchema.safeParse({ THREADLINE_PRICE_TABLE: value });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => [i.path.slice(1).join('.'), i.message].filter(Boolean).join(': '));
    throw new Error(`${file ? '--prices' : 'THREADLINE_PRICE_TABLE'}: not a price table: ${problems.join('; ')}`);
  }
  return { table: parsed.data.THREADLINE_PRICE_TABLE ?? DEFAULT_PRICE_TABLE, source };
}
