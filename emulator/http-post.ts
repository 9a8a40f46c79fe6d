/**
 * A lean HTTP(S) POST for callbacks: keep-alive agents per protocol, a hard timeout, the response body drained and
 * discarded. Much cheaper per request than `fetch`, which matters when thousands of callbacks go out per second.
 */
import http from 'node:http';
import https from 'node:https';

export type PostResult = { status: number } | { error: string };

export class HttpPoster {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ error: 'invalid-url' });
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        resolve({ error: 'unsupported-protocol' });
        return;
      }
      let settled = false;
      const done = (r: PostResult) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(r);
        }
      };
      const payload = Buffer.from(body);
      const options = {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'Content-Length': String(payload.length) },
      };
      const req = (secure ? https : http).request(target, options, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', () => done({ status: res.statusCode ?? 0 }));
      });
      const timer = setTimeout(() => {
        done({ error: 'timeout' });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
