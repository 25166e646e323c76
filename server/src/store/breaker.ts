/**
 * A circuit breaker for the store: closed, every command goes to Redis; open, every command
 * fails at once, while a probe asks Redis every `probeIntervalMs` whether it is back, and the
 * first answer closes it.
 *
 * Why a small state machine rather than a library such as opossum: opossum trips on a failure
 * rate over a rolling window of calls and half-opens by letting a user's call through. Here one
 * failure is signal enough (a command timed out, or the connection is gone: the next command
 * would wait just as long), the probe must be a harmless PING rather than somebody's sign-in,
 * and the closed state must cost the hot path one property read, not a wrapper and events per call.
 */
export class CircuitBreaker {
  private opened = false;
  private stopped = false;
  /** One probe at a time: waiting for its turn or waiting for Redis. */
  private probing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Resolves when the store answers; rejects (or times out, as store commands do) when it does not. */
    private readonly probe: () => Promise<unknown>,
    private readonly options: { probeIntervalMs: number; onChange?: (open: boolean) => void },
  ) {}

  /** True while the store is known to be down: callers fail fast instead of waiting. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** A command could not reach the store: open, and start probing for its return. */
  trip(): void {
    if (this.opened || this.stopped) return;
    this.opened = true;
    this.options.onChange?.(true);
    this.scheduleProbe();
  }

  /** The store answered by other means (a fresh connection is ready): close now, without waiting for the probe. */
  reset(): void {
    if (!this.opened) return;
    this.opened = false;
    this.options.onChange?.(false);
  }

  /** Stops probing for good (the store is being closed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private scheduleProbe(): void {
    if (this.probing) return;
    this.probing = true;
    this.timer = setTimeout(() => {
      this.probe().then(
        () => {
          this.probing = false;
          if (!this.stopped) this.reset();
        },
        () => {
          this.probing = false;
          // Closed meanwhile (a fresh connection was ready): no more probing.
          if (this.opened && !this.stopped) this.scheduleProbe();
        },
      );
    }, this.options.probeIntervalMs);
    // Probing never keeps the process alive on its own.
    this.timer.unref();
  }
}
