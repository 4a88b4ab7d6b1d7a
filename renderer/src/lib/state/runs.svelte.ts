/**
 * The engine's run registry as one view sees it: the runs of one kind (saved ones included, so they
 * outlive reloads and engine restarts), newest first, kept current by runs.changed / runs.removed; labels
 * that say what differs; which runs the comparison chart draws; their histories (fetched once); rename,
 * remove, export. Train, GAN and Sequence each hold one.
 */
import type { LabApi } from '../../../../engine/protocol/contract.js';
import { distinctLabels, type RunKind, type RunSummary, type WorkspaceDisk } from '../../../../engine/protocol/runs.js';
import { asLabError } from '../errors.js';

/** At most this many runs are drawn on a comparison chart at once. */
export const MAX_COMPARED = 20;

export type HistoryRow = Record<string, number | null>;

const newestFirst = (a: RunSummary, b: RunSummary): number => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1);

export class RunsStore {
  readonly kind: RunKind;
  #api: LabApi;
  #runs = $state.raw<RunSummary[]>([]);
  #disk = $state.raw<WorkspaceDisk | null>(null);
  #error = $state<string | null>(null);
  /** Runs hidden from the chart by the user (the others are drawn, the newest MAX_COMPARED). */
  #hidden = $state.raw<ReadonlySet<string>>(new Set());
  /** Bumped when a fetched history arrives (charts redraw). */
  #version = $state(0);
  /** Fetched histories, with the run's epoch count when they were asked for (a new count asks again). */
  readonly #histories = new Map<string, { rows: HistoryRow[]; epochs: number }>();
  /** The history of a run that is live in the view (its own records are newer than the registry's). */
  readonly #live: (id: string) => HistoryRow[] | null;

  constructor(api: LabApi, kind: RunKind, live: (id: string) => HistoryRow[] | null = () => null) {
    this.#api = api;
    this.kind = kind;
    this.#live = live;
    api.on('runs.changed', (s) => {
      if (s.kind !== kind) return;
      this.#runs = [s, ...this.#runs.filter((x) => x.id !== s.id)].sort(newestFirst);
    });
    api.on('runs.removed', ({ id }) => {
      this.#runs = this.#runs.filter((x) => x.id !== id);
      this.#histories.delete(id);
    });
    void this.refresh();
  }

  /** Read the registry's runs of this kind and the workspace's disk use again. */
  async refresh(): Promise<void> {
    try {
      const { runs, disk } = await this.#api.call('runs.list', { kind: this.kind });
      this.#runs = runs;
      this.#disk = disk;
    } catch {
      // An engine that does not answer yet: the list fills from runs.changed events.
    }
  }

  get runs(): RunSummary[] {
    return this.#runs;
  }
  get disk(): WorkspaceDisk | null {
    return this.#disk;
  }
  get error(): string | null {
    return this.#error;
  }
  clearError(): void {
    this.#error = null;
  }
  get version(): number {
    return this.#version;
  }
  /** Labels that tell the listed runs apart (the user's name, else only what differs). */
  get labels(): Map<string, string> {
    const labels = distinctLabels(this.#runs);
    return new Map(this.#runs.map((r, i) => [r.id, labels[i]]));
  }
  /** Whether a run is drawn on the comparison chart. */
  shown(id: string): boolean {
    if (this.#hidden.has(id)) return false;
    return this.#runs.filter((r) => !this.#hidden.has(r.id)).findIndex((r) => r.id === id) < MAX_COMPARED;
  }
  toggleShown(id: string): void {
    const next = new Set(this.#hidden);
    if (this.shown(id)) next.add(id);
    else next.delete(id);
    this.#hidden = next;
  }
  /** A run's colour index: its place in the list (colours repeat with dashes past the palette). */
  color(id: string): number {
    const i = this.#runs.findIndex((r) => r.id === id);
    return i < 0 ? 0 : i;
  }
  /** The figures every listed run's history has (for the metric picker), in first-seen order. */
  metrics(): string[] {
    const seen = new Set<string>();
    for (const r of this.#runs) for (const row of this.history(r.id).slice(0, 1)) for (const k of Object.keys(row)) if (k !== 'epoch') seen.add(k);
    return [...seen];
  }
  /**
   * A run's history: the view's live record, or fetched from the engine, again whenever the run's
   * epoch count differs from the one it was fetched at (a run that went on while it was not live).
   */
  history(id: string): HistoryRow[] {
    const live = this.#live(id);
    if (live) return live;
    const epochs = this.#runs.find((r) => r.id === id)?.epochs ?? 0;
    const h = this.#histories.get(id);
    if (h && h.epochs === epochs) return h.rows;
    this.#histories.set(id, { rows: h?.rows ?? [], epochs });
    void this.#api.call('runs.get', { id }).then(
      (d) => {
        const held = this.#histories.get(id);
        if (held && held.epochs === epochs) this.#histories.set(id, { rows: d.history, epochs });
        this.#version++;
      },
      () => this.#histories.delete(id),
    );
    return h?.rows ?? [];
  }

  async rename(id: string, name: string): Promise<void> {
    try {
      await this.#api.call('runs.rename', { id, name });
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }
  /** Remove a finished run and its saved files (the view asks first). */
  async remove(id: string): Promise<void> {
    try {
      await this.#api.call('runs.remove', { id });
      await this.refresh();
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }
  /** Write a run's model to a file; returns the path written, or null. */
  async exportRun(id: string, path: string): Promise<string | null> {
    try {
      return (await this.#api.call('runs.export', { id, path })).path;
    } catch (e) {
      this.#error = asLabError(e).message;
      return null;
    }
  }
}
