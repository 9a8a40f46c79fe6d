import { randomBytes } from 'node:crypto';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A Bandwidth-style message id: 13-digit epoch milliseconds followed by 16 lowercase base-36 characters, 29 in all
 * (e.g. `1589228074636lm4k2je7j7jklbn2`, reference §2.1).
 */
export function newMessageId(epochMs: number): string {
  const bytes = randomBytes(16);
  let suffix = '';
  for (const b of bytes) suffix += BASE36[b % 36];
  return String(epochMs).padStart(13, '0').slice(-13) + suffix;
}

/** A random opaque token (hex). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
