/**
 * Pause, resume, single-step and stop for any training loop. The loop calls `checkpoint()` between
 * steps: it resolves true to go on (at once when running, after resume() or step() when paused) and
 * false once stop() was called. Between steps the loop yields to the event loop, so messages (pause,
 * a new learning rate) reach the process while it trains. A delay (setDelay) slows a running loop down
 * to watch it learn: each checkpoint then waits that long first (the speed control of the toy views).
 */
export type RunState = 'running' | 'paused' | 'stopped';

export class RunControl {
  #state: RunState = 'running';
  #steps = 0;
  #wake: (() => void) | null = null;
  #onState: ((s: RunState) => void) | null;
  #delay = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

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

  /** Milliseconds each step waits while running (0: full speed); a new delay applies at the next step. */
  get delay(): number {
    return this.#delay;
  }

  setDelay(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`delay must be a number of milliseconds >= 0, got ${ms}`);
    this.#delay = ms;
    // A long wait under way ends now, so a faster speed is felt at once.
    if (this.#timer) this.#notify();
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
    if (this.#delay > 0 && this.#state === 'running') {
      await new Promise<void>((r) => {
        this.#wake = r;
        this.#timer = setTimeout(() => this.#notify(), this.#delay);
      });
    }
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
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}
