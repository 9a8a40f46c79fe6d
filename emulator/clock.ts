/**
 * The emulator's clock. Every duration the emulator simulates (queue pacing, delivery delays, callback back-off,
 * token lifetimes, media retention, the search window) is measured on this clock, which runs `timeScale` times faster
 * than the wall clock: with `timeScale: 1000`, 24 hours of callback retries take 86.4 real seconds.
 *
 * Emulated time starts at the wall-clock time (or where a previous run left it, so it never goes backwards across
 * restarts) and can also be jumped forward through the admin API, like a test clock.
 */
export class ScaledClock {
  private baseEmulatedMs: number;
  private baseRealMs: number;

  constructor(
    readonly timeScale: number,
    startEmulatedMs: number = Date.now(),
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error(`timeScale must be a positive number`);
    this.baseEmulatedMs = startEmulatedMs;
    this.baseRealMs = Date.now();
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.baseEmulatedMs + (Date.now() - this.baseRealMs) * this.timeScale);
  }

  /** Emulated time as an ISO-8601 string (UTC, millisecond precision). */
  iso(ms: number = this.now()): string {
    return new Date(ms).toISOString();
  }

  /** Real milliseconds until emulated time `dueEmulatedMs` (0 when already past). */
  realDelayUntil(dueEmulatedMs: number): number {
    return Math.max(0, (dueEmulatedMs - this.now()) / this.timeScale);
  }

  /** Real milliseconds that `emulatedMs` of emulated time take. */
  toRealMs(emulatedMs: number): number {
    return emulatedMs / this.timeScale;
  }

  /** Jumps emulated time forward by `emulatedMs` (never backwards). */
  advance(emulatedMs: number): void {
    if (emulatedMs < 0) throw new Error('the clock only moves forward');
    this.baseEmulatedMs += emulatedMs;
  }
}
