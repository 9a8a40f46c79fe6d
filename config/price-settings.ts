/**
 * `THREADLINE_PRICE_TABLE`, parsed by config/env.ts: what messages cost (billing/price-table.ts). Inline JSON, or the
 * path of a JSON file holding it; unset: {@link DEFAULT_PRICE_TABLE} (illustrative list prices). Parsed once, at
 * start-up; a problem names the field (`THREADLINE_PRICE_TABLE.outbound.smsSegment: ...`) or the file.
 *
 * @example {"currency":"USD","outbound":{"smsSegment":0.0045,"mms":0.016},"carrierSurcharges":{"T-Mobile":{"smsSegment":0.003,"mms":0.01}}}
 * @example ./config/prices.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PRICE_TABLE, PriceTableSchema } from '../billing/price-table';

const EXAMPLE = '{"currency":"USD","outbound":{"smsSegment":0.004,"mms":0.015}}';

/** Reads the variable's JSON: the text itself when it starts with `{`, else the file it names (relative to the cwd). */
const priceTableJson = z.string().transform((text, ctx): unknown => {
  const value = text.trim();
  if (value === '') return DEFAULT_PRICE_TABLE;
  let json = value;
  let source = 'must be';
  if (!value.startsWith('{')) {
    const file = path.resolve(value);
    source = `${file} must hold`;
    try {
      json = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (err as Error).message;
      ctx.addIssue({
        code: 'custom',
        message: `neither inline JSON (it does not start with "{") nor a readable file: ${file}: ${reason}`,
      });
      return z.NEVER;
    }
  }
  try {
    return JSON.parse(json);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `${source} a JSON price table such as ${EXAMPLE} (${(err as Error).message})`,
    });
    return z.NEVER;
  }
});

/** The environment's price-table variable, as a field of the environment schema. */
export const priceVariables = {
  THREADLINE_PRICE_TABLE: priceTableJson.pipe(PriceTableSchema).optional(),
};
