import { liveMs } from '../motion.js';

/**
 * Coalesces redraw requests: events can stream in faster than charts can be drawn (a small folder trains
 * tens of epochs a second, each with batch, epoch and telemetry events), so a store calls request() on
 * every event and `run` happens at most once per `ms`, at the end of the window (so the last event is
 * always drawn). now() runs it at once (a run's end, a user's click). Under prefers-reduced-motion the
 * window is a second (lib/motion.ts): the picture steps instead of flowing.
 */
export class Redraw {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #last = -Infinity;

  constructor(
    readonly ms: number,
    readonly run: () => void,
  ) {}

  request(): void {
    if (this.#timer !== null) return;
    const wait = this.#last + liveMs(this.ms) - performance.now();
    if (wait <= 0) {
      this.now();
      return;
    }
    this.#timer = setTimeout(() => this.now(), wait);
  }

  now(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#last = performance.now();
    this.run();
  }
}

/** How often live curves redraw at most while a run streams events (ms). */
export const REDRAW_MS = 150;
