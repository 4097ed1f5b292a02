// Per-invocation start times for the middleware. middy shares `request.internal` between
// invocations, so the request object itself is the key.
export class StepTimer {
  readonly #startedAt = new WeakMap<object, number>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  start(request: object): Date {
    const at = this.#now();
    this.#startedAt.set(request, at.getTime());
    return at;
  }

  /** Milliseconds since `start(request)`, and the time now. */
  stop(request: object): { durationMs: number; at: Date } {
    const at = this.#now();
    const started = this.#startedAt.get(request) ?? at.getTime();
    return { durationMs: Math.max(0, at.getTime() - started), at };
  }
}
