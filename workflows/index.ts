/**
 * The worker's `workflowsPath`: every bot workflow, exported by name (the name is the workflow type in the UI).
 */
export * from './bots/greeter';
