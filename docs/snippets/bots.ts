// A workflows entry point for the guide's bots: every Threadline bot plus the guide's own.
export * from '../../workflows';
export * from './order-ready-bot';
export * from './patched-bot';
