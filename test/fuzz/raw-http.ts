/**
 * Sends exactly the path, bytes and headers a fuzz case says (fetch would fix up a content type, resolve `..` in the
 * path or refuse odd headers), over one keep-alive agent: a request costs well under a millisecond, so thousands fit
 * in a test.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawHttp {
  request(
    method: string,
    url: string,
    options?: { headers?: Record<string, string>; body?: Buffer | string },
  ): Promise<RawResponse>;
  close(): void;
}

export function rawHttp(): RawHttp {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  return {
    request(method, url, { headers = {}, body } = {}) {
      const attempt = (retry: boolean) =>
        new Promise<RawResponse>((resolve, reject) => {
          const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
          // The path goes out exactly as given: a URL object would resolve `..` and re-encode characters.
          const [, hostname = '', port = '80', path = '/'] = /^http:\/\/([^/:]+):(\d+)(.*)$/.exec(url) ?? [];
          const req = http.request(
            {
              hostname,
              port: Number(port),
              path,
              method,
              agent,
              headers: { ...headers, ...(bytes !== undefined ? { 'content-length': String(bytes.length) } : {}) },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  headers: res.headers,
                  text: Buffer.concat(chunks).toString('utf8'),
                }),
              );
              res.on('error', reject);
            },
          );
          req.on('error', (err: NodeJS.ErrnoException) => {
            // A kept-alive socket the server closed as the request went out (its keep-alive timeout passed while the
            // test computed, e.g. on a busy machine): the request never reached it, so it is sent again, once. Node's
            // documented remedy (http.ClientRequest reusedSocket).
            if (retry && req.reusedSocket && err.code === 'ECONNRESET') resolve(attempt(false));
            else reject(err);
          });
          req.end(bytes);
        });
      return attempt(true);
    },
    close: () => agent.destroy(),
  };
}
