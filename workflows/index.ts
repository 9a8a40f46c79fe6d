/**
 * The worker's `workflowsPath`: every bot, exported by name. The export name is the workflow type, which routing
 * (THREADLINE_DEFAULT_BOT, THREADLINE_ROUTES) and the Temporal UI use.
 */
export * from './bots/greeter';
export * from './bots/echo';
export * from './bots/pizza';
export * from './bots/appointment-reminder';
export * from './bots/photo-follow-up';
export * from './bots/group-coordinator';
export * from './bots/survey';
export * from './data-lifecycle';
