/**
 * A round-robin load balancer in front of several webhook servers, as an operator puts one in front of theirs: each
 * callback goes to the next server in turn; a server that refuses the connection (it is down) is skipped for the next
 * one, and when every server refuses, the balancer answers 502 so that the emulator (like Bandwidth) retries later.
 * Bodies are relayed byte for byte with their headers (the callback's Basic auth included).
 */
import http from 'node:http';

export interface Balancer {
  readonly url: string;
  /** Requests each upstream answered, by upstream index. */
  readonly forwarded: readonly number[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(upstream: URL, req: http.IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, connection: 'close' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Opens a balancer on a free loopback port in front of `upstreams` (base URLs). */
export async function openBalancer(upstreams: readonly string[], host = '127.0.0.1'): Promise<Balancer> {
  const targets = upstreams.map((u) => new URL(u));
  const forwarded = targets.map(() => 0);
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const first = next++ % targets.length;
        for (let i = 0; i < targets.length; i++) {
          const index = (first + i) % targets.length;
          try {
            const answer = await send(targets[index]!, req, body);
            forwarded[index]! += 1;
            const { connection: _connection, 'transfer-encoding': _encoding, ...headers } = answer.headers;
            res.writeHead(answer.status, headers).end(answer.body);
            return;
          } catch (err) {
            // Refused: that server is down, try the next. Anything else (it died mid-request): let the sender retry.
            if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') break;
          }
        }
        res.writeHead(502).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
