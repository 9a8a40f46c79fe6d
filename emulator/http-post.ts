/**
 * A lean HTTP(S) POST for callbacks: keep-alive agents per protocol, a hard timeout, the response body drained and
 * discarded. Much cheaper per request than `fetch`, which matters when thousands of callbacks go out per second: a
 * callback URL is parsed once, not once per request.
 */
import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';

export type PostResult = { status: number } | { error: string };

type Target = { secure: boolean; options: http.RequestOptions } | { error: string };

/** Parsed targets kept at most (callback URLs are few; the bound only guards against unbounded growth). */
const MAX_TARGETS = 1000;

export class HttpPoster {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly targets = new Map<string, Target>();

  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve) => {
      const target = this.target(url);
      if ('error' in target) {
        resolve({ error: target.error });
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
      const options: http.RequestOptions = {
        ...target.options,
        method: 'POST',
        agent: target.secure ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'Content-Length': String(payload.length) },
      };
      const req = (target.secure ? https : http).request(options, (res) => {
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', () => done({ status: res.statusCode ?? 0 }));
        res.resume();
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

  private target(url: string): Target {
    let target = this.targets.get(url);
    if (target === undefined) {
      target = parseTarget(url);
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }
}

function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: 'invalid-url' };
  }
  const secure = parsed.protocol === 'https:';
  if (!secure && parsed.protocol !== 'http:') return { error: 'unsupported-protocol' };
  return { secure, options: urlToHttpOptions(parsed) };
}
