/**
 * The sandbox clock: real time plus an offset, in unix seconds. It keeps ticking so
 * timestamps still move between calls, while tests can jump it forward (token expiry,
 * virtual-account deadlines, billing cycles) without waiting.
 */
export class SandboxClock {
  private offsetMs = 0;

  constructor(initialUnix?: number) {
    if (initialUnix !== undefined) this.set(initialUnix);
  }

  /** Current sandbox time in unix seconds. */
  now(): number {
    return Math.floor((Date.now() + this.offsetMs) / 1000);
  }

  /** Sets the clock so that `now()` returns `unix` at this instant. */
  set(unix: number): number {
    if (!Number.isFinite(unix)) throw new RangeError("clock value must be a finite unix time in seconds");
    this.offsetMs = Math.floor(unix) * 1000 - Date.now();
    return this.now();
  }

  /** Moves the clock forward (or back, with a negative value) by whole seconds. */
  advance(seconds: number): number {
    if (!Number.isFinite(seconds)) throw new RangeError("seconds must be a finite number");
    this.offsetMs += Math.floor(seconds) * 1000;
    return this.now();
  }
}
