/**
 * The emulator's heart: one scheduler that wakes at the next emulated time anything is due, and on each tick
 * expires queued messages, dequeues what the rate limits allow, fires due status events and starts due callbacks.
 * All state is in SQLite, so a new engine on the same database picks up exactly where the last one stopped.
 */
import { type Logger } from 'pino';
import { type ScaledClock } from './clock';
import { CallbackDispatcher, type CallbackTarget } from './callback-dispatcher';
import { statusEvent, type CallbackEventBody } from './callback-payloads';
import { type Db } from './database';
import { carrierFor, planDelivery, type StatusEventType } from './delivery-plan';
import { type Directory } from './directory';
import { type Application } from './directory-schemas';
import { HandsetFeed } from './handset-feed';
import { inboxWriter } from './handset-inbox';
import { MessageStore, type RecipientStatus, type StoredMessage } from './message-store';
import { OutboundQueue, type QueueEntry } from './outbound-queue';
import { createRandom, type Settings } from './settings';
import { TollFreeNetwork } from './toll-free-network';

const EVENT_BATCH = 2000;

interface EventRow {
  id: number;
  due_ms: number;
  message_id: string;
  tn: string;
  type: StatusEventType;
  error_code: number | null;
  description: string;
  carrier_name: string | null;
}

const STATUS_BY_EVENT: Record<StatusEventType, RecipientStatus> = {
  'message-sending': 'SENDING',
  'message-sent': 'SENT',
  'message-delivered': 'DELIVERED',
  'message-failed': 'FAILED',
};

export class Engine {
  readonly messages: MessageStore;
  readonly queue: OutboundQueue;
  readonly callbacks: CallbackDispatcher;
  readonly tollFree: TollFreeNetwork;
  /** Which handset messages changed (the phone page listens). */
  readonly feed = new HandsetFeed();
  readonly random: () => number;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** When the last tick ended (`performance.now()`): an engine that ticked within the last millisecond is busy. */
  private lastTickEnded = Number.NEGATIVE_INFINITY;
  private armedAt = Number.POSITIVE_INFINITY;
  private ticking = false;
  private wakeDuringTick: number | undefined;
  private paused = false;
  private pendingAccepts: {
    message: StoredMessage;
    units: number;
    text: string | undefined;
    resolve: () => void;
    reject: (err: unknown) => void;
  }[] = [];
  /** Adds a message to a handset's inbox (the API's handsets, the phone page). */
  readonly addToInbox: ReturnType<typeof inboxWriter>;
  private mediaInspector: (message: StoredMessage) => number | undefined = () => undefined;
  private readonly insertEventStmt;
  private readonly dueEventsStmt;
  private readonly deleteEventStmt;
  private readonly deleteDueEventsStmt;
  private readonly nextEventStmt;

  constructor(
    readonly db: Db,
    readonly clock: ScaledClock,
    readonly directory: Directory,
    private readonly getSettings: () => Settings,
    readonly logger: Logger,
  ) {
    this.random = createRandom(getSettings().seed);
    this.messages = new MessageStore(db);
    this.queue = new OutboundQueue(db, directory);
    this.addToInbox = inboxWriter(db);
    this.tollFree = new TollFreeNetwork(db, this.addToInbox);
    this.callbacks = new CallbackDispatcher(db, clock, getSettings, this.random, logger, (due) => this.wake(due));
    this.insertEventStmt = db.prepare(
      `INSERT INTO events (due_ms, message_id, tn, type, error_code, description, carrier_name)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.dueEventsStmt = db.prepare('SELECT * FROM events WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?');
    this.deleteEventStmt = db.prepare('DELETE FROM events WHERE id = ?');
    this.deleteDueEventsStmt = db.prepare('DELETE FROM events WHERE due_ms <= ?');
    this.nextEventStmt = db.prepare('SELECT MIN(due_ms) AS due FROM events');
  }

  /** Sets the check run on outbound media when a message leaves the queue; it returns a rejection code or nothing. */
  setMediaInspector(inspect: (message: StoredMessage) => number | undefined): void {
    this.mediaInspector = inspect;
  }

  get settings(): Settings {
    return this.getSettings();
  }

  /** Starts processing (resumes whatever the database holds). */
  start(): void {
    this.wake(this.clock.now());
  }

  /** Asks for a tick at emulated time `dueMs` (now when omitted). */
  wake(dueMs: number = this.clock.now()): void {
    if (this.paused) return;
    if (this.ticking) {
      this.wakeDuringTick = this.wakeDuringTick === undefined ? dueMs : Math.min(this.wakeDuringTick, dueMs);
      return;
    }
    if (dueMs >= this.armedAt) return;
    this.cancelTimer();
    this.armedAt = dueMs;
    const delay = this.clock.realDelayUntil(dueMs);
    // Due now on an idle engine (a handset's text, a message accepted): tick at once, as a timer would wait at least
    // 1 ms. A busy engine keeps the timer, whose millisecond gathers what comes meanwhile into one tick.
    this.timer =
      delay < 1 && performance.now() - this.lastTickEnded >= 1
        ? setImmediate(() => this.tick())
        : setTimeout(() => this.tick(), Math.min(delay, 2_000_000_000));
  }

  /**
   * Stops the scheduler and callback dispatch: nothing more leaves the emulator. The API still accepts messages;
   * they are stored and queued, and leave after the next start.
   */
  pause(): void {
    this.paused = true;
    this.cancelTimer();
    this.callbacks.pause();
  }

  /**
   * Pauses, stores the messages accepted this turn, and waits for callbacks in flight (until `force` aborts, then
   * cuts them short). Pending work stays in the database.
   */
  async close(force?: AbortSignal): Promise<void> {
    this.pause();
    if (this.pendingAccepts.length > 0) this.flushAccepts();
    await this.callbacks.close(force);
  }

  /** Re-evaluates everything now (after the clock jumped or settings changed). */
  kick(): void {
    this.cancelTimer();
    this.armedAt = Number.POSITIVE_INFINITY;
    this.wake(this.clock.now());
  }

  private tick(): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    if (this.paused) return;
    this.ticking = true;
    this.wakeDuringTick = undefined;
    let next: number | undefined;
    const consider = (t: number | undefined) => {
      if (t !== undefined) next = next === undefined ? t : Math.min(next, t);
    };
    try {
      const now = this.clock.now();
      this.db.transaction(() => {
        // Attempts finished since the last tick are recorded first, freeing their slots for this tick's pump.
        this.callbacks.recordCompletions();
        for (const e of this.queue.takeExpired(now)) this.expire(e, now);
        const { ready, nextDue } = this.queue.takeReady(now);
        for (const e of ready) this.dispatchFromQueue(e, now);
        consider(nextDue);
        consider(this.queue.nextExpiry());
        const fired = this.fireDueEvents(now);
        if (fired >= EVENT_BATCH) consider(now);
        consider((this.nextEventStmt.get() as { due: number | null }).due ?? undefined);
        // Leases are written in the same transaction: one commit per tick.
        this.callbacks.pump(this.clock.now());
        if (this.callbacks.hasRoom()) consider(this.callbacks.nextDue());
      })();
    } catch (err) {
      this.logger.error({ err }, 'emulator tick failed');
      consider(this.clock.now() + 1000);
    } finally {
      this.ticking = false;
      this.lastTickEnded = performance.now();
    }
    consider(this.wakeDuringTick);
    if (next === undefined) return;
    if (next <= this.clock.now()) {
      // More due work right away: yield to I/O first.
      this.armedAt = next;
      this.timer = setTimeout(() => this.tick(), 0);
    } else {
      this.wake(next);
    }
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    // Each kind with its own clear (only a Timeout has refresh()): clearImmediate given a Timeout would corrupt Node's
    // count of pending immediates.
    if ('refresh' in this.timer) clearTimeout(this.timer);
    else clearImmediate(this.timer);
    this.timer = undefined;
  }

  /** A queued message whose expiration passed fails with 4360 for every recipient. */
  private expire(e: QueueEntry, now: number): void {
    const message = this.messages.get(e.messageId);
    if (!message) return;
    for (const r of this.messages.recipients(message.id)) {
      if (r.terminal) continue;
      this.insertEventStmt.run(
        now,
        message.id,
        r.tn,
        'message-failed',
        4360,
        'message-not-sent-expiration-date-passed',
        null,
      );
    }
  }

  /** Plans the status events of a message leaving the queue. */
  private dispatchFromQueue(e: QueueEntry, now: number): void {
    const message = this.messages.get(e.messageId);
    if (!message) return;
    const account = this.directory.account(message.accountId);
    if (!account) return;
    const fromNumber = this.directory.number(message.from);
    const fromOwned = fromNumber?.accountId === account.id;
    // The from number may have been released between create and dequeue.
    const rejectCode = message.from.startsWith('+') && !fromOwned ? 4403 : this.mediaInspector(message);
    const tollFree = fromOwned && fromNumber?.product === 'TOLL_FREE';
    for (const r of this.messages.recipients(message.id)) {
      const behavior = this.directory.behavior(r.tn);
      const carrier = account.features.carrierName ? carrierFor(r.tn, behavior) : null;
      for (const ev of planDelivery({
        message,
        tn: r.tn,
        account,
        fromNumber,
        behavior,
        timing: this.settings.timing,
        rejectCode,
        optedOut: tollFree && this.tollFree.isOptedOut(message.from, r.tn),
      })) {
        this.insertEventStmt.run(
          now + ev.offsetMs,
          message.id,
          r.tn,
          ev.type,
          ev.errorCode ?? null,
          ev.description,
          carrier,
        );
      }
    }
  }

  private fireDueEvents(now: number): number {
    const rows = this.dueEventsStmt.all(now, EVENT_BATCH) as EventRow[];
    // Fewer rows than the batch: they are all the due events, deleted with one statement.
    const all = rows.length < EVENT_BATCH;
    if (all && rows.length > 0) this.deleteDueEventsStmt.run(now);
    const batches = new Map<string, { target: CallbackTarget; events: CallbackEventBody[] }>();
    for (const row of rows) {
      if (!all) this.deleteEventStmt.run(row.id);
      const message = this.messages.get(row.message_id);
      if (!message) continue;
      const terminal = row.type === 'message-delivered' || row.type === 'message-failed';
      const advanced = this.messages.advanceRecipient(row.message_id, row.tn, {
        status: STATUS_BY_EVENT[row.type],
        errorCode: row.error_code ?? 0,
        carrierName: row.carrier_name ?? undefined,
        terminal,
        atMs: row.due_ms,
      });
      if (advanced) {
        if (message.direction === 'out') this.feed.touch(row.tn, row.message_id);
      } else {
        // No such recipient, or it had its terminal event: exactly one per message and recipient, except a second
        // one from a number with the legacy group bug.
        const legacyDouble = terminal && this.directory.behavior(row.tn)?.legacyGroupBug === true;
        if (!legacyDouble || !this.messages.recipient(row.message_id, row.tn)) continue;
      }
      const app = this.directory.application(message.applicationId);
      if (!app || !app.requestedCallbackTypes.includes(row.type)) continue;
      const event = statusEvent(message, {
        type: row.type,
        to: row.tn,
        description: row.description,
        errorCode: row.error_code ?? undefined,
        carrierName: row.carrier_name ?? undefined,
        atMs: row.due_ms,
      });
      const target = statusTarget(app);
      const key = `${target.url}\u0000${row.due_ms}`;
      const batch = batches.get(key);
      if (batch && batch.events.length < this.settings.callbacks.batchMaxEvents) batch.events.push(event);
      else {
        if (batch) this.callbacks.enqueue(batch.target, batch.events, row.due_ms);
        batches.set(key, { target, events: [event] });
      }
    }
    for (const [key, b] of batches) this.callbacks.enqueue(b.target, b.events, Number(key.split('\u0000')[1]));
    return rows.length;
  }

  /** Queues `message-received` callbacks for an inbound message copy. */
  enqueueInbound(app: Application, events: CallbackEventBody[], dueMs: number): void {
    this.callbacks.enqueue(inboundTarget(app), events, dueMs);
  }

  /**
   * Stores and queues an accepted outbound message. Writes are group-committed: every message accepted in the same
   * turn of the event loop goes into one transaction, and the promise resolves once it is durable, so the 202 is
   * only sent for a message that a crash cannot lose.
   */
  acceptOutbound(message: StoredMessage, units: number, text: string | undefined): Promise<void> {
    this.queue.reserve(message.accountId, units);
    return new Promise((resolve, reject) => {
      this.pendingAccepts.push({ message, units, text, resolve, reject });
      if (this.pendingAccepts.length === 1) setImmediate(() => this.flushAccepts());
    });
  }

  private flushAccepts(): void {
    const batch = this.pendingAccepts;
    this.pendingAccepts = [];
    try {
      this.db.transaction(() => {
        for (const { message, units, text } of batch) {
          this.messages.insert(message, message.to, 'QUEUED');
          this.queue.persist({
            messageId: message.id,
            accountId: message.accountId,
            fromTn: message.from,
            priority: message.priority === 'high' ? 1 : 0,
            units,
            enqueuedMs: message.timeMs,
            expirationMs: message.expiration ? Date.parse(message.expiration) : null,
          });
          for (const tn of message.to) {
            this.addToInbox({
              phone: tn,
              messageId: message.id,
              direction: 'out',
              from: message.from,
              to: message.to,
              text: text ?? null,
              media: message.media ?? null,
              timeMs: message.timeMs,
            });
          }
        }
      })();
    } catch (err) {
      for (const b of batch) {
        this.queue.release(b.message.accountId, b.units);
        b.reject(err);
      }
      return;
    }
    for (const b of batch) {
      for (const tn of b.message.to) this.feed.touch(tn, b.message.id);
      b.resolve();
    }
    this.wake(this.clock.now());
  }
}

export function statusTarget(app: Application): CallbackTarget {
  return {
    accountId: app.accountId,
    applicationId: app.id,
    url: app.statusCallbackUrl ?? app.inboundCallbackUrl,
    credentials: app.statusCallbackCredentials ?? app.inboundCallbackCredentials,
  };
}

export function inboundTarget(app: Application): CallbackTarget {
  return {
    accountId: app.accountId,
    applicationId: app.id,
    url: app.inboundCallbackUrl,
    credentials: app.inboundCallbackCredentials,
  };
}
