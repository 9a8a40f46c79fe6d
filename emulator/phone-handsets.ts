/**
 * The handsets the phone page offers: those created on it (with a name, kept in the database like the directory, so
 * `POST /emulator/reset` keeps them) and every other phone that has sent or received a message here.
 */
import { type EmulatorContext } from './context';

export interface Handset {
  phone: string;
  /** What the page calls it ("Alice"); null when it was never named. */
  name: string | null;
}

/** Every handset, named ones first in the order they were created, then the others by number. */
export function listHandsets(ctx: EmulatorContext): Handset[] {
  const named = ctx.db.prepare('SELECT phone, name FROM handsets ORDER BY created_ms, phone').all() as Handset[];
  const known = new Set(named.map((h) => h.phone));
  const seen = ctx.db.prepare('SELECT DISTINCT phone FROM handset_inbox ORDER BY phone').all() as { phone: string }[];
  const others = seen
    .map((r) => r.phone)
    .filter((phone) => !known.has(phone) && ctx.directory.number(phone)?.applicationId === undefined)
    .map((phone) => ({ phone, name: null }));
  return [...named, ...others];
}

/** Creates a handset, or renames it; true when it is new. */
export function putHandset(ctx: EmulatorContext, phone: string, name: string | null): boolean {
  const existed = ctx.db.prepare('SELECT 1 FROM handsets WHERE phone = ?').get(phone) !== undefined;
  ctx.db
    .prepare(
      `INSERT INTO handsets (phone, name, created_ms) VALUES (?, ?, ?)
       ON CONFLICT(phone) DO UPDATE SET name = excluded.name`,
    )
    .run(phone, name, Date.now());
  return !existed;
}

/** Forgets a created handset (its messages stay); false when it was not created here. */
export function deleteHandset(ctx: EmulatorContext, phone: string): boolean {
  return ctx.db.prepare('DELETE FROM handsets WHERE phone = ?').run(phone).changes > 0;
}
