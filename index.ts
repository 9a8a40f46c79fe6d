/**
 * Threadline's public API for code outside a workflow: the stack and its parts, for embedding Threadline in another
 * service. Bot authors import the authoring API from `threadline/workflows` (workflow code) and the test kit from
 * `threadline/kit`.
 */
export { startStack, type Stack, type StackOptions } from './stack';
export { createApp, type AppDeps } from './server/app';
export { createEmulator, type Emulator, type EmulatorOptions } from './emulator';
export { emulatorDefaultsFromConfig } from './stack/emulator-defaults';
export { createActivities, type Activities } from './activities';
export { createBandwidthClient, type BandwidthClient } from './bandwidth/client';
export { createWorker } from './worker/create-worker';
export { loadConfig, ConfigError, type Config } from './config/env';
export {
  loadTemporalConnection,
  connectClient,
  connectNative,
  lazyClientConnection,
  describeTemporalConnection,
  TemporalConnectionError,
  type TemporalConnectionConfig,
} from './temporal/connection';
export { createRecordStore, type RecordStore } from './records';
export { conversationId, encodeTag, decodeTag } from './workflows/ids';
export * from './workflows/messages';
