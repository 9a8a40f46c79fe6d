/**
 * A lean HTTP(S) POST for callbacks on undici (the HTTP client behind Node's own `fetch`), through its dispatch
 * interface: one keep-alive connection pool per origin, a hard timeout, the response body read and discarded. A
 * callback URL is parsed once, not once per request. The dispatcher sends thousands of callbacks a second
 * (`npm run bench:emulator`), and only wants each one's status: undici's `request()` would build, for each, an abort
 * signal, a response body stream and promises to drain it; a dispatch handler is told the status and the end.
 */
import { Agent, type Dispatcher } from 'undici';

export type PostResult = { status: number } | { error: string };

/** Where a callback URL points; credentials written in the URL (`https://user:pass@host/...`) become Basic auth. */
type Target = { origin: string; path: string; authorization?: string } | { error: string };

/** Parsed targets kept at most (callback URLs are few; the bound only guards against unbounded growth). */
const MAX_TARGETS = 1000;

export class HttpPoster {
  private readonly agent: Agent;
  private readonly targets = new Map<string, Target>();

  /** `connections`: the most open at once to one origin; requests beyond them wait for one. */
  constructor({ connections = 256 }: { connections?: number } = {}) {
    this.agent = new Agent({ connections, keepAliveTimeout: 4_000 });
  }

  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
    const target = this.target(url);
    if ('error' in target) return Promise.resolve({ error: target.error });
    return new Promise((resolve) => {
      const exchange = new Exchange(resolve, timeoutMs);
      try {
        this.agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: 'POST',
            headers:
              target.authorization && !headers.Authorization
                ? { ...headers, Authorization: target.authorization }
                : headers,
            body,
          },
          exchange,
        );
      } catch (err) {
        exchange.onError(err as Error);
      }
    });
  }

  close(): void {
    void this.agent.destroy().catch(() => undefined);
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

/** One request's dispatch handler: settles once, with the final status, a timeout, or the error's code. */
class Exchange implements Dispatcher.DispatchHandlers {
  private readonly timer: NodeJS.Timeout;
  private status = 0;
  private abort: (() => void) | undefined;
  private timedOut = false;
  private settled = false;

  constructor(
    private readonly resolve: (result: PostResult) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.timeOut(), timeoutMs);
  }

  /**
   * Ends the request at its deadline. One still waiting for a connection settles now, and is aborted, unsent, when
   * it gets one (undici offers the abort only then).
   */
  private timeOut(): void {
    this.timedOut = true;
    if (this.abort) this.abort();
    else this.settle({ error: 'timeout' });
  }

  onConnect(abort: () => void): void {
    this.abort = abort;
    if (this.timedOut) abort();
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode; // a 1xx informational response is followed by the final one
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.settle({ status: this.status });
  }

  onError(err: Error): void {
    this.settle(this.timedOut ? { error: 'timeout' } : { error: errorCode(err) });
  }

  private settle(result: PostResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(result);
  }
}

/** The system error code (`ECONNREFUSED`, ...) behind an undici error, else its own code or message. */
function errorCode(err: unknown): string {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && !code.startsWith('UND_ERR')) return code;
  }
  const own = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return own ?? (err instanceof Error ? err.message : String(err));
}

function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: 'invalid-url' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { error: 'unsupported-protocol' };
  const path = `${parsed.pathname}${parsed.search}`;
  if (!parsed.username && !parsed.password) return { origin: parsed.origin, path };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  return { origin: parsed.origin, path, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}
