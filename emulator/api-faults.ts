/**
 * Faults on the API itself: `settings.apiFaults.createMessage` makes `POST /users/{accountId}/messages` answer 500,
 * 503 or 429 (with `Retry-After`) without accepting anything, accept the message and never answer, or hang without
 * accepting anything, so that every outcome a sender can see is produced on purpose.
 *
 * Each request that would otherwise be accepted draws one number from the emulator's random source (seeded by
 * `settings.seed`) against the cumulative rates, in the order 500, 503, 429, accept-then-timeout, hang. A withheld
 * request's connection is destroyed after `holdMs` real milliseconds, or at once when the emulator closes. Every
 * injected fault is counted; `GET /emulator/faults` shows the counts, `POST /emulator/reset` zeroes them.
 */
import type http from 'node:http';
import { type Socket } from 'node:net';
import { type CreateMessageFaults, type Settings } from './settings';

/** The faults create-message can be given. */
export type CreateMessageFault = 'error500' | 'error503' | 'error429' | 'acceptThenTimeout' | 'hang';

/** Faults injected since start or the last reset, per endpoint. */
export interface FaultCounts {
  createMessage: Record<CreateMessageFault, number>;
}

/** An injected error answer: Bandwidth's `{type, description}` body and any headers. */
export interface FaultResponse {
  status: 500 | 503 | 429;
  body: { type: string; description: string };
  headers: Record<string, string>;
}

const zeroCounts = (): FaultCounts => ({
  createMessage: { error500: 0, error503: 0, error429: 0, acceptThenTimeout: 0, hang: 0 },
});

/**
 * Which fault `u` (uniform in [0, 1)) picks: the rates are stacked in the order listed in the settings, and `u`
 * falls in one of them or past them all (no fault).
 */
export function pickCreateMessageFault(faults: CreateMessageFaults, u: number): CreateMessageFault | undefined {
  const ladder: [CreateMessageFault, number][] = [
    ['error500', faults.error500Rate],
    ['error503', faults.error503Rate],
    ['error429', faults.error429Rate],
    ['acceptThenTimeout', faults.acceptThenTimeoutRate],
    ['hang', faults.hangRate],
  ];
  let edge = 0;
  for (const [fault, rate] of ladder) {
    edge += rate;
    if (rate > 0 && u < edge) return fault;
  }
  return undefined;
}

/**
 * The answer Bandwidth's API gives for each error fault. 500 and 429 use the bodies of Bandwidth's OpenAPI spec
 * (`internal-server-error` from its examples; `rate_limit_exceeded` and `Retry-After` as message search answers,
 * reference §2.2). Bandwidth documents no 503 body; this one has the same `{type, description}` shape as every other.
 */
export function faultResponse(fault: 'error500' | 'error503' | 'error429', faults: CreateMessageFaults): FaultResponse {
  switch (fault) {
    case 'error500':
      return {
        status: 500,
        body: { type: 'internal-server-error', description: 'Internal server error. No further information available' },
        headers: {},
      };
    case 'error503':
      return {
        status: 503,
        body: {
          type: 'service-unavailable',
          description: 'The service is temporarily unavailable. Please retry later.',
        },
        headers: {},
      };
    case 'error429':
      return {
        status: 429,
        body: {
          type: 'rate_limit_exceeded',
          description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.',
        },
        headers: { 'Retry-After': String(faults.retryAfterSeconds) },
      };
  }
}

/** Draws and counts faults, and holds the connections of requests that get no answer. One per emulator. */
export class ApiFaults {
  private counts = zeroCounts();
  private readonly held = new Map<Socket, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly settings: () => Settings,
    private readonly random: () => number,
  ) {}

  /** Draws the fault for one create-message request (or none) and counts it. No draw at all while every rate is 0. */
  drawCreateMessage(): CreateMessageFault | undefined {
    const faults = this.settings().apiFaults.createMessage;
    const total =
      faults.error500Rate + faults.error503Rate + faults.error429Rate + faults.acceptThenTimeoutRate + faults.hangRate;
    if (total === 0) return undefined;
    const fault = pickCreateMessageFault(faults, this.random());
    if (fault) this.counts.createMessage[fault] += 1;
    return fault;
  }

  /** A copy of the counts since start or the last reset. */
  snapshot(): FaultCounts {
    return { createMessage: { ...this.counts.createMessage } };
  }

  /** Zeroes the counts. */
  reset(): void {
    this.counts = zeroCounts();
  }

  /**
   * Never answers `res`: its connection is destroyed after `holdMs` real milliseconds, or when the emulator closes,
   * whichever comes first. The client sees its own timeout or a dropped connection, never a status.
   */
  withhold(res: http.ServerResponse, holdMs: number): void {
    const socket = res.socket;
    if (!socket || socket.destroyed) return;
    if (this.closed) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), holdMs);
    timer.unref();
    this.held.set(socket, timer);
    socket.once('close', () => {
      clearTimeout(timer);
      this.held.delete(socket);
    });
  }

  /** How many connections are being held right now. */
  heldConnections(): number {
    return this.held.size;
  }

  /** Destroys every held connection at once (emulator shutdown); later holds are destroyed immediately. */
  close(): void {
    this.closed = true;
    for (const [socket, timer] of this.held) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.held.clear();
  }
}
