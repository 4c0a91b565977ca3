// One consumer's queue of sweeps behind `for await (const sweep of monitor)`: a consumer that lags keeps
// only the newest sweeps, never an unbounded backlog.
import type { MonitorSweep } from './types.js';

/** How many sweeps an async iterator holds for a consumer that lags; older ones are dropped. */
const ITERATOR_BUFFER_SWEEPS = 16;

export class SweepIterator implements AsyncIterableIterator<MonitorSweep> {
  readonly #buffer: MonitorSweep[] = [];
  readonly #waiting: Array<(result: IteratorResult<MonitorSweep>) => void> = [];
  readonly #detach: (iterator: SweepIterator) => void;
  #ended = false;

  constructor(detach: (iterator: SweepIterator) => void) {
    this.#detach = detach;
  }

  push(sweep: MonitorSweep): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      waiter({ value: sweep, done: false });
      return;
    }
    this.#buffer.push(sweep);
    if (this.#buffer.length > ITERATOR_BUFFER_SWEEPS) this.#buffer.shift();
  }

  /** No more sweeps: buffered ones are still delivered, then the iteration ends. */
  end(): void {
    this.#ended = true;
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<MonitorSweep>> {
    const sweep = this.#buffer.shift();
    if (sweep !== undefined) return Promise.resolve({ value: sweep, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<MonitorSweep>> {
    this.#buffer.length = 0;
    this.end();
    this.#detach(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
