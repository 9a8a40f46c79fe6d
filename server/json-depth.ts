/**
 * How deep a parsed JSON value nests, checked without recursion. JSON.parse takes any depth, but every recursive step
 * after it (zod, JSON.stringify for a record or a Temporal payload, the records' text cleaning) overflows the stack
 * a few thousand levels down, so the server refuses deep bodies at the door.
 */

/** Whether arrays and objects nest deeper than `max` levels in `value` (a scalar is 0 deep, `[]` 1). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
