/**
 * The plain logic under a clustering panel (no runes, so it is unit-tested under Node): the assignment
 * kept from the engine's messages, and the pump that sends a drag's moves one at a time.
 */
import type { ClusterUpdate } from '../../../../engine/protocol/cluster.js';

/**
 * A copy of a run's assignment built only from what the engine sends: whole assignments (kept unless
 * older than the one held) and deltas against the message with sequence number `base`. A delta that
 * does not follow what is held means a message was missed: `apply` answers 'resync' (ask for a snapshot).
 */
export class LabelCopy {
  labels: Int32Array | null = null;
  seq = -1;

  /** Apply an update's labels; 'changed' when `labels` is a new array, 'resync' when a snapshot is needed. */
  apply(u: Pick<ClusterUpdate, 'seq' | 'labels' | 'delta'>): 'changed' | 'same' | 'resync' {
    if (u.labels) {
      if (u.seq < this.seq) return 'same';
      this.labels = u.labels;
      this.seq = u.seq;
      return 'changed';
    }
    if (!u.delta) return 'same';
    const cur = this.labels;
    if (cur && u.delta.base === this.seq) {
      const next = Int32Array.from(cur);
      for (let t = 0; t < u.delta.samples.length; t++) next[u.delta.samples[t]] = u.delta.to[t];
      this.labels = next;
      this.seq = u.seq;
      return 'changed';
    }
    return u.seq > this.seq ? 'resync' : 'same';
  }

  /** Take the next whole assignment whatever its sequence number (a snapshot, a new run). */
  forget(): void {
    this.seq = -1;
  }

  clear(): void {
    this.labels = null;
    this.seq = -1;
  }
}

/**
 * Sends the latest of a stream of values, one request at a time: while one is in flight, newer values
 * replace each other and only the last is sent next (a drag sends where the pointer is now, not every
 * place it passed). `push` resolves when everything pushed so far has been handled.
 */
export class LatestPump<T> {
  readonly #send: (value: T) => Promise<unknown>;
  #next: { value: T } | null = null;
  #running: Promise<void> | null = null;

  constructor(send: (value: T) => Promise<unknown>) {
    this.#send = send;
  }

  push(value: T): Promise<void> {
    this.#next = { value };
    this.#running ??= this.#run();
    return this.#running;
  }

  async #run(): Promise<void> {
    try {
      while (this.#next) {
        const { value } = this.#next;
        this.#next = null;
        await this.#send(value);
      }
    } finally {
      this.#running = null;
    }
  }
}
