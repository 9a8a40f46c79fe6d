/**
 * Judges one operator API exchange by the OpenAPI document alone: which operation the request line reaches (express's
 * matching: case-insensitive, an optional trailing slash, a parameter is one path segment), whether the request is
 * one the document describes (ajv with formats: path parameters decoded, query values coerced from text as the
 * document's types say, the body as JSON when it is declared JSON), and whether the answer is a documented status with
 * a documented media type, a body matching its schema (openapi-backend) and the documented headers. Never a 500.
 */
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document } from 'openapi-backend';
import type { JsonSchema } from './json-schema-arbitrary';
import type { OperationDoc } from './operator-cases';
import type { RawResponse } from './raw-http';

export const API_PREFIX = '/api/v1';

export interface SentRequest {
  method: string;
  /** The request line's path, still percent-encoded, without the prefix. */
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
}

export interface Judgement {
  /** The operation the request reached; null when none did (404). */
  operationId: string | null;
  /** Whether the request is one the document describes. */
  validRequest: boolean;
  /** The answer's JSON, or its text. */
  body: unknown;
}

export interface ExchangeJudge {
  judge(sent: SentRequest, response: RawResponse, token: string): Judgement;
}

const customizeAjv = (ajv: Parameters<typeof addFormats>[0]) => {
  addFormats(ajv);
  return ajv;
};

/** A query value as the document's type reads it. */
function coerce(values: string[], schema: JsonSchema): unknown {
  const one = (v: string): unknown => {
    if ((schema.type === 'integer' || schema.type === 'number') && v.trim() !== '' && !Number.isNaN(Number(v))) {
      return Number(v);
    }
    if (schema.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
    return v;
  };
  return schema.type === 'array' ? values.map(one) : values.length === 1 ? one(values[0]!) : values;
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export async function createExchangeJudge(document: Record<string, unknown>, operations: OperationDoc[]) {
  const backend = new OpenAPIBackend({
    definition: structuredClone(document) as unknown as Document,
    strict: true,
    validate: true,
    customizeAjv,
  });
  await backend.init();
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  const validators = new Map<JsonSchema, ReturnType<typeof ajv.compile>>();
  const valid = (schema: JsonSchema, value: unknown) => {
    if (!validators.has(schema)) validators.set(schema, ajv.compile(schema));
    return validators.get(schema)!(value) === true;
  };
  const routes = operations.map((op) => ({
    op,
    names: [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
    pattern: new RegExp(
      `^${op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '([^/]+)')}/?$`,
      'i',
    ),
  }));

  function validRequest(op: OperationDoc, params: Record<string, string | null>, sent: SentRequest): boolean {
    for (const p of op.parameters) {
      if (p.in === 'path') {
        const value = params[p.name];
        if (value === null || value === undefined || !valid(p.schema, value)) return false;
        continue;
      }
      const values = sent.query.filter(([k]) => k === p.name).map(([, v]) => v);
      if (values.length === 0) {
        if (p.required) return false;
        continue;
      }
      if (!valid(p.schema, coerce(values, p.schema))) return false;
    }
    if (!op.body) return true;
    const mediaType = (sent.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json' || sent.body === undefined) return false;
    if (/charset=(?!"?utf-8)/i.test(sent.headers['content-type'] ?? '')) return false;
    let body: unknown;
    try {
      body = JSON.parse(sent.body);
    } catch {
      return false;
    }
    return valid(op.body, body);
  }

  return {
    judge(sent: SentRequest, response: RawResponse, token: string): Judgement {
      const text = response.text;
      assert.notEqual(response.status, 500, `an internal error: ${text.slice(0, 300)}`);
      const mediaType = String(response.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      const body: unknown = mediaType === 'application/json' && text !== '' ? JSON.parse(text) : text;
      const authorized = /^Bearer\s+(\S+)\s*$/i.exec(sent.headers.authorization ?? '')?.[1] === token;
      const route = routes.find((r) => r.op.method === sent.method.toLowerCase() && r.pattern.test(sent.path));
      if (!route) {
        // Everything under the prefix but the document needs the token; with it, there is nothing here.
        assert.deepEqual(
          [response.status, (body as { type?: unknown }).type],
          authorized ? [404, 'not-found'] : [401, 'unauthorized'],
          `no operation takes ${sent.method} ${sent.path}: ${text.slice(0, 200)}`,
        );
        return { operationId: null, validRequest: false, body };
      }
      const { op } = route;
      const segments = route.pattern.exec(sent.path)!.slice(1);
      const params = Object.fromEntries(route.names.map((name, i) => [name, decode(segments[i]!)]));
      const isValid = validRequest(op, params, sent);
      const id = op.operationId;

      const documented = op.responses[String(response.status)];
      assert.ok(
        documented,
        `${id} answered ${response.status}, which the document does not list: ${text.slice(0, 300)}`,
      );
      if (text !== '') {
        assert.ok(documented.content?.[mediaType], `${id} ${response.status}: ${mediaType} is not documented`);
      }
      if (mediaType === 'application/json') {
        const result = backend.validateResponse(body, id, response.status);
        assert.equal(
          result.errors,
          null,
          `${id} ${response.status}: ${JSON.stringify(result.errors)}\n${text.slice(0, 500)}`,
        );
      }
      if (id !== 'getOpenApiDocument' && !authorized) {
        assert.equal(response.status, 401, `${id} without the right token`);
      }
      const header = (name: string) => response.headers[name.toLowerCase()];
      if (response.status === 401) assert.ok(header('WWW-Authenticate'), `${id} 401 without WWW-Authenticate`);
      if (response.status === 503) assert.ok(header('Retry-After'), `${id} 503 without Retry-After`);
      if (response.status === 201) assert.ok(header('Location'), `${id} 201 without Location`);
      if (response.status >= 200 && response.status < 300) {
        assert.ok(isValid, `${id} answered ${response.status} to a request the document does not describe`);
      } else if (!isValid && authorized) {
        assert.ok([400, 413, 415].includes(response.status), `${id} answered ${response.status} to an invalid request`);
      }
      return { operationId: id, validRequest: isValid, body };
    },
  } satisfies ExchangeJudge;
}
