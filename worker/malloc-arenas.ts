/**
 * glibc's malloc gives each thread that allocates an arena of its own, up to eight per core, and memory freed in one
 * arena serves only that arena's thread. A worker allocates from many threads (Node's, the workflow thread's V8, the
 * Rust core's), so the memory its cached conversations free stays spread over the arenas and its resident memory only
 * grows. `MALLOC_ARENA_MAX=2`, read by glibc as the process starts, bounds that: `npm run bench:idle` measured the
 * worker process with 3,000 conversations (cache 833) at 674 MB RSS without it and 479 MB with it, replies no slower.
 * `npm start` and `npm run worker` set it (package.json) unless it is set already; docs/operations.md, "Capacity".
 */

/** The value `npm start` and `npm run worker` give `MALLOC_ARENA_MAX` unless it is set. */
export const RECOMMENDED_MALLOC_ARENA_MAX = 2;

/**
 * A line for the log when this process runs on glibc's malloc with no `MALLOC_ARENA_MAX` (as the `threadline` command
 * does, unless the environment sets it); null when it is set, or on a platform without glibc.
 */
export function mallocArenaHint(
  mallocArenaMax: string | undefined,
  platform: string = process.platform,
): string | null {
  if (mallocArenaMax !== undefined || platform !== 'linux') return null;
  return (
    `MALLOC_ARENA_MAX is unset: set MALLOC_ARENA_MAX=${RECOMMENDED_MALLOC_ARENA_MAX} in the environment that starts ` +
    'this process to keep the worker about 30 % smaller (docs/operations.md, "Capacity")'
  );
}
