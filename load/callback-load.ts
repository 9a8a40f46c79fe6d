/**
 * The load generator's side of Bandwidth: `message-received` callbacks from new participants, posted with Node's own
 * HTTP client over keep-alive connections (one per request in flight, as Bandwidth's sender holds them).
 */
import http from 'node:http';
import type { InboundCallback } from '../bandwidth/schemas';

/** A participant no earlier call gave out: `+1919` and seven digits, never a `+1AAA555CCCC` magic number. */
export function newParticipant(sequence: number): string {
  return `+1919${String(6_000_000 + sequence)}`;
}

/** A 29-character message id, like Bandwidth's, unique for each `sequence` (never two sequences padded alike). */
export function messageId(sequence: number): string {
  return `bench${String(sequence).padStart(24, '0')}`;
}

/** A `message-received` callback, as Bandwidth sends it, from `from` to our number. */
export function messageReceived(input: {
  id: string;
  from: string;
  ourNumber: string;
  applicationId: string;
  text?: string;
}): InboundCallback {
  const now = new Date().toISOString();
  return {
    type: 'message-received',
    time: now,
    description: 'Incoming message received',
    to: input.ourNumber,
    message: {
      id: input.id,
      owner: input.ourNumber,
      applicationId: input.applicationId,
      time: now,
      segmentCount: 1,
      direction: 'in',
      to: [input.ourNumber],
      from: input.from,
      text: input.text ?? 'hi',
    },
  };
}

/** How long a POST may wait for its answer. */
const POST_TIMEOUT_MS = 30_000;

/**
 * POSTs JSON bodies to one server over at most `connections` keep-alive connections, to `url`'s path or the path
 * given; resolves with the status code.
 */
export function jsonPoster(url: string, connections: number, headers: Record<string, string> = {}) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const post = (body: string, pathname = `${target.pathname}${target.search}`) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            ...headers,
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      // A server that takes the request and never answers fails it (a send-error), instead of holding the run forever.
      request.setTimeout(POST_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${POST_TIMEOUT_MS} ms`)));
      request.end(body);
    });
  return { post, close: () => agent.destroy() };
}
