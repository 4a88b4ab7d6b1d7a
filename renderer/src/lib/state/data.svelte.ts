/**
 * The Data view's state: the folder loaded in the engine, the load in progress (with its progress and
 * cancel), the import options, and what went wrong. The engine is the source of truth: a `data.loaded`
 * event (from this window, another one or the host's --open) replaces the summary; an engine restart
 * clears it.
 */
import type { DataSummary, LabApi, LoadOptions, Progress } from '../../../../engine/protocol/contract.js';
import { asLabError } from '../errors.js';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'cancelled' | 'failed';

export interface ImportOptions {
  size: number;
  channels: 1 | 3;
  valPercent: number;
}

export const SIZES = [28, 32, 48, 64, 96] as const;

export class DataStore {
  #api: LabApi;
  #summary = $state.raw<DataSummary | null>(null);
  #progress = $state.raw<Progress | null>(null);
  #status = $state<LoadStatus>('idle');
  #error = $state<string | null>(null);
  #loadingPath = $state<string | null>(null);
  #generation = $state(0);
  /** Whether the engine has said what it holds (until then the view shows neither the folder nor the open panel). */
  #known = $state(false);
  /** Import options the next load uses. */
  options = $state<ImportOptions>({ size: 28, channels: 1, valPercent: 20 });
  #onLoaded: (s: DataSummary) => void;

  constructor(api: LabApi, onLoaded: (s: DataSummary) => void = () => {}) {
    this.#api = api;
    this.#onLoaded = onLoaded;
    api.on('data.progress', (p) => {
      if (this.#status === 'loading') this.#progress = p;
    });
    api.on('data.loaded', (s) => this.#setSummary(s));
    api.on('engine.restarted', () => {
      this.#summary = null;
      this.#progress = null;
      this.#loadingPath = null;
      this.#status = 'idle';
      this.#generation++;
    });
    void api.call('data.current', {}).then(
      (r) => {
        if (r.summary && !this.#summary) this.#setSummary(r.summary);
        this.#known = true;
      },
      () => (this.#known = true),
    );
  }

  /** False until the engine's first answer: a page opened on a loaded engine must not flash the open panel. */
  get known(): boolean {
    return this.#known || this.#summary !== null;
  }

  get summary(): DataSummary | null {
    return this.#summary;
  }
  get progress(): Progress | null {
    return this.#progress;
  }
  get status(): LoadStatus {
    return this.#status;
  }
  get loading(): boolean {
    return this.#status === 'loading';
  }
  get error(): string | null {
    return this.#error;
  }
  get loadingPath(): string | null {
    return this.#loadingPath;
  }
  /** Changes whenever the engine's images change (new load, restart): thumbnails key on it. */
  get generation(): number {
    return this.#generation;
  }
  /** 0..1 of the current phase, or null while the total is unknown. */
  get fraction(): number | null {
    const p = this.#progress;
    if (!p || p.phase === 'scan' || p.total === 0) return null;
    return Math.min(1, p.done / p.total);
  }

  #setSummary(s: DataSummary): void {
    this.#summary = s;
    this.#generation++;
    this.#onLoaded(s);
  }

  #loadOptions(): LoadOptions {
    const o = this.options;
    return { width: o.size, height: o.size, channels: o.channels, valFraction: o.valPercent / 100 };
  }

  async open(path: string): Promise<void> {
    const trimmed = path.trim();
    if (!trimmed) return;
    this.#status = 'loading';
    this.#error = null;
    this.#progress = null;
    this.#loadingPath = trimmed;
    try {
      const s = await this.#api.call('data.open', { path: trimmed, options: this.#loadOptions() });
      // The data.loaded event usually came first with the same load; only a missed event needs this.
      const cur = this.#summary;
      if (!cur || cur.root !== s.root || cur.elapsedMs !== s.elapsedMs) this.#setSummary(s);
      this.#status = 'ready';
    } catch (e) {
      const err = asLabError(e);
      if (err.code === 'cancelled') {
        this.#status = 'cancelled';
      } else {
        this.#status = 'failed';
        this.#error = err.message;
      }
    } finally {
      this.#progress = null;
      this.#loadingPath = null;
    }
  }

  async openSample(): Promise<void> {
    try {
      const { path } = await this.#api.call('data.sample', {});
      await this.open(path);
    } catch (e) {
      this.#status = 'failed';
      this.#error = asLabError(e).message;
    }
  }

  /** Load the current folder again with the current import options. */
  reload(): Promise<void> {
    return this.#summary ? this.open(this.#summary.root) : Promise.resolve();
  }

  async cancel(): Promise<void> {
    await this.#api.call('data.cancel', {}).catch(() => {});
  }

  clearError(): void {
    this.#error = null;
    if (this.#status === 'failed' || this.#status === 'cancelled') this.#status = this.#summary ? 'ready' : 'idle';
  }
}
