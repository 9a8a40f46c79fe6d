/**
 * The bots this build of Threadline has: the functions made by `defineBot` that workflows/index.ts exports. Routing and proactive
 * starts are checked against them, so a typo in THREADLINE_ROUTES stops start-up instead of failing every workflow
 * task later.
 */
import * as workflows from '../workflows';

export function knownBots(): string[] {
  return Object.entries(workflows)
    .filter(([, value]) => typeof value === 'function' && (value as { threadlineBot?: boolean }).threadlineBot === true)
    .map(([name]) => name)
    .sort();
}
