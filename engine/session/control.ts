/**
 * Pause, resume, single-step and stop for any training loop. The loop calls `checkpoint()` between
 * steps: it resolves true to go on (at once when running, after resume() or step() when paused) and
 * false once stop() was called. Between steps the loop yields to the event loop, so messages (pause,
 * a new learning rate) reach the process while it trains.
 */
export type RunState = 'running' | 'paused' | 'stopped';

export class RunControl {
  #state: RunState = 'running';
  #steps = 0;
  #wake: (() => void) | null = null;
  #onState: ((s: RunState) => void) | null;

  constructor(onState?: (s: RunState) => void) {
    this.#onState = onState ?? null;
  }

  get state(): RunState {
    return this.#state;
  }

  pause(): void {
    if (this.#state === 'running') this.#set('paused');
  }

  resume(): void {
    if (this.#state === 'paused') {
      this.#set('running');
      this.#notify();
    }
  }

  /** While paused: let `n` more steps run, then pause again. */
  step(n = 1): void {
    if (this.#state !== 'paused') return;
    this.#steps += n;
    this.#notify();
  }

  stop(): void {
    if (this.#state !== 'stopped') {
      this.#set('stopped');
      this.#notify();
    }
  }

  /** Call between steps. Resolves true to continue, false to stop. */
  async checkpoint(): Promise<boolean> {
    await new Promise<void>((r) => setImmediate(r));
    for (;;) {
      if (this.#state === 'stopped') return false;
      if (this.#state === 'running') return true;
      if (this.#steps > 0) {
        this.#steps--;
        return true;
      }
      await new Promise<void>((r) => (this.#wake = r));
    }
  }

  #set(s: RunState): void {
    this.#state = s;
    this.#onState?.(s);
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}
