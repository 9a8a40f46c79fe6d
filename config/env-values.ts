/** Shapes of environment values that several settings share (config/env.ts and the settings files beside it). */
import { z } from 'zod';

/** A TCP port; 0 lets the system choose. */
export const port = z.coerce.number().int().min(0).max(65535);
/** A string, where empty means unset. */
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** `true`/`false` (also `1`/`0`, `yes`/`no`). */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
