/**
 * How many conversations a worker keeps cached between their events. A cached conversation answers its next event at
 * once; an evicted one first replays its history (a history fetch and its short replay, see docs/operations.md,
 * "Capacity"). So the cache should hold every conversation that is active (a burst of new conversations waiting for
 * their delivery receipts, people texting back within minutes), and no more than the worker's memory allows: it is
 * sized from a memory budget (`WORKER_CACHE_MEMORY_MB`) and what one cached conversation costs.
 */

/**
 * Resident memory one cached conversation costs the worker process, in bytes. Measured with `npm run bench:idle`
 * (3,000 echo-bot conversations, worker process alone), as the RSS difference between a cache of 200 and one of 2,000
 * divided by 1,800: 374 and 674 MB, about 177 kB each (2026-11-29, Node 20, SDK 1.24), and with `MALLOC_ARENA_MAX=2`
 * (worker/malloc-arenas.ts) 352 and 698 MB, about 192 kB each (2026-11-30). docs/operations.md, "Capacity", says how
 * to measure it again for your bots.
 */
export const CACHED_CONVERSATION_BYTES = 180_000;

/**
 * The fewest conversations a cache holds: Temporal runs at most this many workflow tasks at once by default
 * (`maxConcurrentWorkflowTaskExecutions`), and a worker cannot run more at once than it caches.
 */
export const MIN_CACHED_CONVERSATIONS = 40;

/**
 * The default budget for cached conversations, in MB (10^6 bytes): 833 conversations, with which a worker holding
 * 100,000 idle conversations stays within 500 MB (`bench:idle`).
 */
export const DEFAULT_CACHE_MEMORY_MB = 150;

/**
 * How many conversations fit in `memoryMb` of cache.
 * @example cachedConversationsFor(150) // 833
 */
export function cachedConversationsFor(memoryMb: number): number {
  return Math.max(MIN_CACHED_CONVERSATIONS, Math.floor((memoryMb * 1e6) / CACHED_CONVERSATION_BYTES));
}

/**
 * The least heap the workflow thread gets (MiB, V8's `--max-old-space-size`): with the default cache of 833, a cap of
 * 256 held the worker with 20,000 idle conversations at 444 MB RSS (peak 450) where without it the same run reached 704
 * MB, and with 100,000 at 466.7 MB (peak 472.1) where uncapped runs reached 544 and 605 (`bench:idle`, 2026-11-30).
 */
export const MIN_WORKFLOW_HEAP_MB = 256;

/**
 * The V8 heap limit (MiB) of the workflow thread for a cache of `maxCachedWorkflows`: 1.7 times what the cached
 * conversations cost ({@link CACHED_CONVERSATION_BYTES}), at least {@link MIN_WORKFLOW_HEAP_MB}. The cached
 * conversations live in that thread's heap, and V8 lets a heap grow far past what it holds before it collects:
 * uncapped, the worker's memory depended on when that thread last collected (479-704 MB in runs of the same
 * settings). A bot whose conversations keep much more state than the echo bot needs a larger `WORKER_CACHE_MEMORY_MB`
 * (or `WORKER_WORKFLOW_HEAP_MB`): past the limit, V8 ends the process ("Reached heap limit").
 * @example workflowHeapMbFor(833) // 256
 */
export function workflowHeapMbFor(maxCachedWorkflows: number): number {
  return Math.max(MIN_WORKFLOW_HEAP_MB, Math.ceil((maxCachedWorkflows * CACHED_CONVERSATION_BYTES * 1.7) / 2 ** 20));
}
