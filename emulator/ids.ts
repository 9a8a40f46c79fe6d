import { randomBytes, randomFillSync } from 'node:crypto';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Random bytes for message ids, drawn 4 KiB at a time (one call to the CSPRNG per 256 ids, not one per id). */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * A Bandwidth-style message id: 13-digit epoch milliseconds followed by 16 lowercase base-36 characters, 29 in all
 * (e.g. `1589228074636lm4k2je7j7jklbn2`, reference §2.1).
 */
export function newMessageId(epochMs: number): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let suffix = '';
  for (let i = poolOffset; i < poolOffset + 16; i++) suffix += BASE36[pool[i]! % 36];
  poolOffset += 16;
  return String(epochMs).padStart(13, '0').slice(-13) + suffix;
}

/** A random opaque token (hex). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
