/**
 * Validates emulator responses and callbacks against Bandwidth's OpenAPI spec with openapi-backend (ajv): response
 * bodies by operation and status, callback events against the request bodies of the spec's `statusCallback` and
 * `inboundCallback` callback objects. The spec is the node-sdk v8.1.4 `bandwidth.yml` in ../shared/reference (the
 * contract), or the copy shipped inside the bandwidth-sdk package when that folder is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document } from 'openapi-backend';

const SHARED_SPEC = path.resolve(__dirname, '../../../shared/reference/bandwidth-openapi-node-sdk-v8.1.4.yml');
const SDK_SPEC = path.resolve(__dirname, '../../node_modules/bandwidth-sdk/bandwidth.yml');

export const SPEC_PATH = fs.existsSync(SHARED_SPEC) ? SHARED_SPEC : SDK_SPEC;

export interface SpecValidator {
  /** Throws unless `body` matches the spec's response for `operationId` and `status`. */
  response(operationId: string, status: number, body: unknown, headers?: Record<string, string>): void;
  /** Throws unless every element of a callback body matches the spec's callback request schema. */
  callback(body: unknown): void;
  /** Number of validations that passed, per kind (so tests can prove they validated something). */
  counts: { responses: Record<string, number>; callbacks: Record<string, number> };
}

type Json = Record<string, unknown>;

const customizeAjv = (ajv: Parameters<typeof addFormats>[0]) => {
  addFormats(ajv);
  return ajv;
};

let cached: Promise<SpecValidator> | undefined;

export function loadSpecValidator(): Promise<SpecValidator> {
  cached ??= build();
  return cached;
}

async function build(): Promise<SpecValidator> {
  const api = new OpenAPIBackend({ definition: SPEC_PATH, quick: true, strict: true, customizeAjv });
  await api.init();
  const def = api.definition as unknown as Json;
  const callbacks = (def.components as Json).callbacks as Json;
  const bodyOf = (name: string, url: string) =>
    (((callbacks[name] as Json)[url] as Json).post as Json).requestBody as Json;
  const callbackDoc = {
    openapi: '3.0.3',
    info: { title: 'Bandwidth messaging callbacks', version: '8.1.4' },
    paths: {
      '/status': {
        post: {
          operationId: 'statusCallback',
          requestBody: bodyOf('statusCallback', '{statusCallbackUrl}'),
          responses: { 200: { description: 'OK' } },
        },
      },
      '/inbound': {
        post: {
          operationId: 'inboundCallback',
          requestBody: bodyOf('inboundCallback', '{inboundCallbackUrl}'),
          responses: { 200: { description: 'OK' } },
        },
      },
    },
  } as unknown as Document;
  const callbackApi = new OpenAPIBackend({ definition: callbackDoc, quick: true, strict: true, customizeAjv });
  await callbackApi.init();

  const counts: SpecValidator['counts'] = { responses: {}, callbacks: {} };
  return {
    counts,
    response(operationId, status, body, headers) {
      const result = api.validator.validateResponse(body, operationId, status);
      if (result.errors) {
        throw new Error(
          `${operationId} ${status} does not match the spec: ${JSON.stringify(result.errors)}\n${JSON.stringify(body)}`,
        );
      }
      if (headers) {
        const h = api.validator.validateResponseHeaders(headers, operationId, {
          statusCode: status,
          setMatchType: 'any' as never,
        });
        if (h.errors)
          throw new Error(`${operationId} ${status} headers do not match the spec: ${JSON.stringify(h.errors)}`);
      }
      const key = `${operationId} ${status}`;
      counts.responses[key] = (counts.responses[key] ?? 0) + 1;
    },
    callback(body) {
      if (!Array.isArray(body) || body.length === 0) throw new Error('a callback body must be a non-empty JSON array');
      for (const event of body as Json[]) {
        const operationId = event.type === 'message-received' ? 'inboundCallback' : 'statusCallback';
        const result = callbackApi.validator.validateRequest(
          {
            method: 'post',
            path: operationId === 'inboundCallback' ? '/inbound' : '/status',
            body: event,
            headers: { 'content-type': 'application/json' },
          },
          operationId,
        );
        if (result.errors) {
          throw new Error(
            `callback ${String(event.type)} does not match the spec: ${JSON.stringify(result.errors)}\n${JSON.stringify(event)}`,
          );
        }
        const key = String(event.type);
        counts.callbacks[key] = (counts.callbacks[key] ?? 0) + 1;
      }
    },
  };
}
