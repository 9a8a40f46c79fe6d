/**
 * A send tap: a byte-for-byte TCP relay between one worker and the emulator's API, so the chaos suite can SIGKILL that
 * worker at the worst moment: after the emulator accepted a message (its `202 Accepted` is on the wire) and before
 * the worker read the answer. The relay adds nothing else: while the emulator is down the tap does not listen either
 * (the worker sees a refused connection, as it would without the tap), and a connection the emulator closes is closed.
 */
import net from 'node:net';

/** One worker's relay to the emulator. */
export interface SendTap {
  /** The tap's base URL; the worker's `BANDWIDTH_BASE_URL` is this plus `/api/v2`. */
  readonly url: string;
  /**
   * The next time the emulator accepts a message through this tap, runs `action` (synchronously, before a byte of the
   * answer is passed on) and drops the connection. Resolves `true` once it ran, `false` if nothing was accepted within
   * `timeoutMs` (the tap is disarmed again).
   */
  interceptNextAcceptance(action: () => void, timeoutMs: number): Promise<boolean>;
  /** Calls off an interception that has not happened yet (it resolves `false`). */
  disarm(): void;
  /** Stops listening and drops open connections (the emulator went down). */
  pause(): Promise<void>;
  /** Listens again on the same port (the emulator is back). */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** Every answer to a create-message that the emulator accepted starts with this status line. */
const ACCEPTED = 'HTTP/1.1 202';

/** Opens a tap on a free loopback port in front of the emulator at `upstreamPort`. */
export async function openSendTap(upstreamPort: number, host = '127.0.0.1'): Promise<SendTap> {
  const sockets = new Set<net.Socket>();
  let armed: (() => void) | undefined;
  let callOff: (() => void) | undefined;

  const relay = (client: net.Socket) => {
    const upstream = net.connect({ host, port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', forget);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (armed && chunk.subarray(0, ACCEPTED.length).toString('latin1') === ACCEPTED) {
        const action = armed;
        armed = undefined;
        action();
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // The emulator went down between our accept and its: answer as it would have, with a refusal-like reset.
      if (err.code === 'ECONNREFUSED') client.resetAndDestroy();
      else client.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  };

  let server = net.createServer(relay);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  const port = await listen(0);

  return {
    url: `http://${host}:${port}`,
    interceptNextAcceptance(action, timeoutMs) {
      callOff?.();
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => off(), timeoutMs);
        const off = () => {
          clearTimeout(timer);
          if (armed === fire) armed = undefined;
          callOff = undefined;
          resolve(false);
        };
        const fire = () => {
          clearTimeout(timer);
          callOff = undefined;
          action();
          resolve(true);
        };
        armed = fire;
        callOff = off;
      });
    },
    disarm() {
      callOff?.();
    },
    pause: stopListening,
    async resume() {
      if (server.listening) return;
      server = net.createServer(relay);
      await listen(port);
    },
    close: stopListening,
  };
}
