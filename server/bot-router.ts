/**
 * Which bot answers a conversation: `THREADLINE_ROUTES` maps our numbers (and Bandwidth application ids) to bot
 * workflow types; a number's route wins over its application's; numbers with neither go to the default bot, or to
 * nobody when `THREADLINE_UNROUTED=ignore` (the callback is then acknowledged and recorded only).
 */
import type { RoutingConfig } from '../config/env';

/** Which bot (workflow type) answers a number; null: none, record only. */
export type BotRouter = (route: { ourNumber: string; applicationId?: string }) => string | null;

/** The {@link BotRouter} for a routing configuration. */
export function createBotRouter(config: RoutingConfig): BotRouter {
  return ({ ourNumber, applicationId }) =>
    config.routes[ourNumber] ??
    (applicationId !== undefined ? config.routes[`app:${applicationId}`] : undefined) ??
    (config.unrouted === 'default' ? config.defaultBot : null);
}

/**
 * Problems with the routing configuration given the bots the worker has, each naming the variable to fix; empty when
 * every routed bot exists.
 */
export function routingProblems(config: RoutingConfig, knownBots: readonly string[]): string[] {
  const known = new Set(knownBots);
  const list = knownBots.join(', ');
  const problems: string[] = [];
  if (config.unrouted === 'default' && !known.has(config.defaultBot)) {
    problems.push(`THREADLINE_DEFAULT_BOT: there is no bot named ${config.defaultBot}; the bots are ${list}`);
  }
  for (const [key, bot] of Object.entries(config.routes)) {
    if (!known.has(bot))
      problems.push(`THREADLINE_ROUTES: ${key} routes to ${bot}, which is not a bot; the bots are ${list}`);
  }
  return problems;
}
