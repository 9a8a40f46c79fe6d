/**
 * The bots the workers run: the functions made by `defineBot` that the workflows module exports (workflows/index.ts,
 * or a bot author's own module named by THREADLINE_WORKFLOWS). Routing and proactive starts are checked against them,
 * so a typo in THREADLINE_ROUTES stops start-up instead of failing every workflow task later.
 */
import * as workflows from '../workflows';
import { ConfigError } from '../config/env';

/** The bot names `workflowsModule` exports (an absolute path; default: Threadline's own bots), sorted. */
export function knownBots(workflowsModule?: string): string[] {
  const exported = workflowsModule ? loadWorkflowsModule(workflowsModule) : workflows;
  return Object.entries(exported)
    .filter(([, value]) => typeof value === 'function' && (value as { threadlineBot?: boolean }).threadlineBot === true)
    .map(([name]) => name)
    .sort();
}

function loadWorkflowsModule(file: string): Record<string, unknown> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named at run time
    return require(file) as Record<string, unknown>;
  } catch (err) {
    const typescript = /\.[cm]?ts$/.test(file)
      ? ' Plain node loads JavaScript: point it at your compiled bots (tsc output), or run under tsx.'
      : '';
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError([`THREADLINE_WORKFLOWS: cannot load ${file} to list its bots (${reason}).${typescript}`]);
  }
}
