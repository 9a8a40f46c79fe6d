/**
 * The data converter every Temporal client and worker Threadline creates uses: with `THREADLINE_PAYLOAD_KEYS` set,
 * its payloads are encrypted (temporal/payload-codec.ts); without, it is Temporal's default. One function, so no
 * client or worker can be built without it.
 */
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config/env';
import { createEncryptionCodec } from './payload-codec';

/**
 * The data converter for `config` (pass it as `dataConverter` to `new Client`, `Worker.create`, and so on).
 * @example
 * const client = new Client({ connection, namespace, dataConverter: dataConverterFromConfig(config) });
 */
export function dataConverterFromConfig(config: Pick<Config, 'payloads'>): DataConverter {
  const { keys } = config.payloads;
  return keys.length > 0 ? { payloadCodecs: [createEncryptionCodec(keys)] } : {};
}

/** Where the webhook server serves the codec server (server/codec-route.ts). */
export const CODEC_PREFIX = '/codec';

/**
 * Where the Temporal Web UI finds the codec server when payloads are encrypted: the webhook server's `/codec`
 * (`PUBLIC_URL`, else the local address); `undefined` when payloads are plain. `npm start` passes it to the dev server
 * as `--ui-codec-endpoint`; a self-hosted UI takes it as `TEMPORAL_CODEC_ENDPOINT`.
 */
export function uiCodecEndpoint(config: Pick<Config, 'payloads' | 'server'>): string | undefined {
  return config.payloads.keys.length > 0 ? `${config.server.publicUrl.replace(/\/+$/, '')}${CODEC_PREFIX}` : undefined;
}
