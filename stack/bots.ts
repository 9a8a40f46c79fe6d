/**
 * The bots this build of Threadline has: the workflow functions workflows/index.ts exports. Routing and proactive
 * starts are checked against them, so a typo in THREADLINE_ROUTES stops start-up instead of failing every workflow
 * task later.
 */
import * as workflows from '../workflows';

export function knownBots(): string[] {
  return Object.entries(workflows)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();
}
