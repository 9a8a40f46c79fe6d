/**
 * Calls the operator API over real HTTP and checks every exchange against the OpenAPI document the server itself
 * serves (openapi-backend, ajv with formats): the request matches an operation, the answered status is documented for
 * it, a JSON body matches that response's schema, a streamed body has a documented media type, and documented headers
 * match. It also remembers which operations answered which statuses, so a test can prove it covered them all.
 */
import assert from 'node:assert/strict';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document } from 'openapi-backend';

type Json = Record<string, unknown>;

export interface Exchange {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text of a non-JSON body. */
  body: unknown;
  text: string;
  operationId: string;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** The bearer token; `null` sends no Authorization header. Default: the checker's token. */
  token?: string | null;
  /** Whether the request itself is meant to be valid per the document (default: when the answer is 2xx). */
  validRequest?: boolean;
}

export interface ApiChecker {
  document: Json;
  call(method: 'GET' | 'POST' | 'DELETE', path: string, options?: CallOptions): Promise<Exchange>;
  /** Throws unless `body` matches the document's response schema for the operation and status. */
  validate(operationId: string, status: number, body: unknown): void;
  /** `operationId status` pairs answered so far. */
  seen: Set<string>;
  operationIds(): string[];
}

const customizeAjv = (ajv: Parameters<typeof addFormats>[0]) => {
  addFormats(ajv);
  return ajv;
};

export async function createApiChecker(baseUrl: string, token: string): Promise<ApiChecker> {
  const response = await fetch(`${baseUrl}/api/v1/openapi.json`);
  assert.equal(response.status, 200, 'the OpenAPI document is served without a token');
  const document = (await response.json()) as Json;
  const api = new OpenAPIBackend({
    definition: structuredClone(document) as unknown as Document,
    strict: true,
    validate: true,
    customizeAjv,
  });
  await api.init(); // strict: throws if the document is not a valid OpenAPI 3 document
  const seen = new Set<string>();

  return {
    document,
    seen,
    operationIds: () => api.getOperations().map((o) => o.operationId ?? ''),
    validate(operationId, status, body) {
      const result = api.validateResponse(body, operationId, status);
      assert.equal(result.errors, null, `${operationId} ${status}: ${JSON.stringify(result.errors)}`);
    },
    async call(method, path, options = {}) {
      const url = new URL(`${baseUrl}/api/v1${path}`);
      for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      const headers: Record<string, string> = {};
      const tokenToSend = options.token === undefined ? token : options.token;
      if (tokenToSend !== null) headers.authorization = `Bearer ${tokenToSend}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      const body: unknown = contentType.startsWith('application/json') ? JSON.parse(text) : text;

      const request = {
        method: method.toLowerCase(),
        path: url.pathname.replace(/^\/api\/v1/, ''),
        query: Object.fromEntries(url.searchParams),
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
      };
      const operation = api.matchOperation(request);
      assert.ok(operation?.operationId, `${method} ${path} is not an operation of the document`);
      const operationId = operation.operationId;
      if (options.validRequest ?? (res.status >= 200 && res.status < 300)) {
        const valid = api.validateRequest(request, operation);
        assert.equal(
          valid.errors,
          null,
          `${operationId}: the request does not match the document: ${JSON.stringify(valid.errors)}`,
        );
      }
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      const documented = responses[String(res.status)];
      assert.ok(documented, `${operationId} answered ${res.status}, which the document does not list (${text})`);
      const content = (documented.content ?? {}) as Record<string, Json>;
      const mediaType = contentType.split(';')[0]!.trim();
      if (text !== '') {
        assert.ok(content[mediaType], `${operationId} ${res.status}: ${mediaType} is not a documented media type`);
      }
      if (mediaType === 'application/json') {
        const result = api.validateResponse(body, operation, res.status);
        assert.equal(
          result.errors,
          null,
          `${operationId} ${res.status}: the body does not match the document: ${JSON.stringify(result.errors)}\n${text}`,
        );
      }
      for (const name of Object.keys(documented.headers ?? {})) {
        if (res.status === 401 || res.status === 503 || name === 'Location') {
          assert.ok(res.headers.get(name), `${operationId} ${res.status}: the documented ${name} header is missing`);
        }
      }
      seen.add(`${operationId} ${res.status}`);
      return { status: res.status, headers: res.headers, body, text, operationId };
    },
  };
}
