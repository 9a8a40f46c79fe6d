/**
 * One durable timer for the whole conversation. Every wait with a deadline (a reply timeout, a delivery-receipt
 * timeout, a `timer` in a race) registers its deadline here; the alarm keeps a single Temporal timer armed at the
 * earliest one. Why: each Temporal timer costs history events (started, then fired or cancelled), and a conversation
 * often waits for a reply and a delivery receipt at once. With one timer, a conversational turn fits in 12 events.
 *
 * Deterministic: only workflow APIs (`sleep`, `CancellationScope`, `Date.now()` which is workflow time).
 */
import { CancellationScope, condition, isCancellation, patched, sleep } from '@temporalio/workflow';

/**
 * Histories recorded before far timers stayed armed cancel the timer when nothing needs it sooner; `patched` keeps
 * them replaying that way.
 */
export const FAR_TIMER_PATCH = 'far-timer-stays-armed';

/**
 * A timer at least this far off stays armed when no deadline needs it, or only a later one: cancelling it costs an
 * event now (and re-arming one more), while letting it fire costs a wake-up only if the conversation is still waiting
 * by then. A conversation answered every few minutes on a 30-day reply timeout then touches no timer per turn.
 */
export const KEEP_ARMED_MS = 10 * 60_000;

interface Deadline {
  at: number;
  label: string;
}

export class Alarm {
  private readonly deadlines = new Map<number, Deadline>();
  private nextId = 1;
  private armed: { at: number; scope: CancellationScope } | null = null;
  private version = 0;
  private synced = 0;
  /** The loop is re-arming: only it asks {@link FAR_TIMER_PATCH}. */
  private inLoop = false;
  /** {@link FAR_TIMER_PATCH} answered true (a true answer stands; a false one is asked again, as `patched` is). */
  private farTimerPatched = false;

  constructor() {
    void this.loop();
  }

  /** Registers a deadline; returns its id for {@link clear}. */
  set(at: number, label: string): number {
    const id = this.nextId++;
    this.deadlines.set(id, { at, label });
    this.changed();
    return id;
  }

  clear(id: number): void {
    if (this.deadlines.delete(id)) this.changed();
  }

  /** True once workflow time has reached the deadline `id` (or it was never set). */
  passed(id: number): boolean {
    const deadline = this.deadlines.get(id);
    return deadline === undefined || Date.now() >= deadline.at;
  }

  /** The pending deadlines, earliest first (for the UI's current details). */
  pending(): Deadline[] {
    return [...this.deadlines.values()].sort((a, b) => a.at - b.at);
  }

  /** Re-arms once per change, after the activation's other work, so several changes cost at most one re-arm. */
  private async loop(): Promise<void> {
    for (;;) {
      await condition(() => this.synced !== this.version);
      this.synced = this.version;
      this.inLoop = true;
      try {
        this.rearm();
      } finally {
        this.inLoop = false;
      }
    }
  }

  /**
   * A deadline was set or cleared: the loop re-arms after the activation's other work, woken only when its re-arm
   * would change the timer. A conversation's turn sets its reply timeout and clears it again while the far timer of
   * the turn before stays armed: waking the loop for those would cost two more passes over the workflow's conditions
   * and nothing else. The loop decides on the state the activation leaves (its workflow time is one), so a change
   * that needs nothing by itself is left to the one after it that does.
   */
  private changed(): void {
    if (this.decide() !== 'nothing') this.version += 1;
  }

  private rearm(): void {
    const decision = this.decide();
    if (decision === 'nothing') return;
    if (decision === 'cancel' || decision === 'cancel and arm') this.cancelArmed();
    const earliest = this.pending()[0];
    if (decision !== 'cancel' && earliest !== undefined) this.arm(earliest);
  }

  /** What a re-arm would do now; `ask` when that depends on a patch not asked yet (the loop asks it, in its place). */
  private decide(): 'nothing' | 'cancel' | 'arm' | 'cancel and arm' | 'ask' {
    const earliest = this.pending()[0];
    const armed = this.armed;
    if (earliest === undefined) {
      // Nothing to wake for: a near timer would only fire for nothing; a far one is likely needed again first.
      if (armed === null) return 'nothing';
      return this.keepsArmed();
    }
    if (armed === null) return 'arm';
    if (armed.at === earliest.at) return 'nothing';
    if (armed.at > earliest.at) return 'cancel and arm';
    // Armed earlier than needed: cancelling and re-arming costs two events now; letting it fire costs five later, and
    // nothing at all if the next deadline comes first again (a conversation's next turn). One that is due has fired.
    if (armed.at <= Date.now()) return 'nothing';
    return this.keepsArmed() === 'nothing' ? 'nothing' : 'cancel and arm';
  }

  /**
   * Whether the armed timer is far enough off to leave running (see {@link KEEP_ARMED_MS}): `nothing` to do if so,
   * else `cancel`. Histories from before that rule replay without it, so the rule is asked of `patched`, by the loop
   * only: outside it, an answer not known to be true yet is `ask` (wake the loop), so the patch is asked where it
   * always was.
   */
  private keepsArmed(): 'nothing' | 'cancel' | 'ask' {
    if (this.armed === null || this.armed.at - Date.now() < KEEP_ARMED_MS) return 'cancel';
    if (this.farTimerPatched) return 'nothing';
    if (!this.inLoop) return 'ask';
    this.farTimerPatched = patched(FAR_TIMER_PATCH);
    return this.farTimerPatched ? 'nothing' : 'cancel';
  }

  private cancelArmed(): void {
    this.armed?.scope.cancel();
    this.armed = null;
  }

  private arm(deadline: Deadline): void {
    const scope = new CancellationScope();
    const armed = { at: deadline.at, scope };
    this.armed = armed;
    const delay = Math.max(1, deadline.at - Date.now());
    scope
      .run(() => sleep(delay, { summary: deadline.label }))
      .then(
        () => {
          if (this.armed === armed) this.armed = null;
          this.version += 1; // waiters re-check their deadlines; the loop arms the next one
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }
}
