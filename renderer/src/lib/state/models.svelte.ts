/**
 * The Models view's state: the engine's current model (trained or imported), export and import with
 * their outcome, and predictions and evaluations made with it.
 */
import type { LabApi, ModelEvaluation, ModelInfo, Prediction } from '../../../../engine/protocol/contract.js';
import { asLabError } from '../errors.js';

export const MODEL_FILTERS = [{ name: 'Locus model', extensions: ['json'] }];

/** Formats a model can leave Locus in (docs/take-it-further.md): a PyTorch package folder or one ONNX file. */
export type ExternalFormat = 'pytorch' | 'onnx';
export const EXTERNAL_FORMATS: { value: ExternalFormat; label: string }[] = [
  { value: 'pytorch', label: 'PyTorch package (folder)' },
  { value: 'onnx', label: 'ONNX file' },
];

export interface Outcome {
  ok: boolean;
  text: string;
}

export class ModelStore {
  #api: LabApi;
  #current = $state.raw<ModelInfo | null>(null);
  #busy = $state(false);
  #outcome = $state.raw<Outcome | null>(null);
  #prediction = $state.raw<Prediction | null>(null);
  #evaluation = $state.raw<ModelEvaluation | null>(null);
  #predictError = $state<string | null>(null);
  /** An external export refused because its target holds something else: the user may confirm. */
  #pendingOverwrite = $state.raw<{ format: ExternalFormat; path: string } | null>(null);

  constructor(api: LabApi) {
    this.#api = api;
    api.on('models.changed', (m) => (this.#current = m));
    api.on('engine.restarted', () => {
      this.#current = null;
      this.#prediction = null;
      this.#evaluation = null;
    });
    void api.call('models.current', {}).then(
      (r) => r.model && !this.#current && (this.#current = r.model),
      () => {},
    );
  }

  get current(): ModelInfo | null {
    return this.#current;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** What the last export or import did (its message, or the reason it was refused). */
  get outcome(): Outcome | null {
    return this.#outcome;
  }
  get prediction(): Prediction | null {
    return this.#prediction;
  }
  get predictError(): string | null {
    return this.#predictError;
  }
  get evaluation(): ModelEvaluation | null {
    return this.#evaluation;
  }

  clearOutcome(): void {
    this.#outcome = null;
    this.#pendingOverwrite = null;
  }

  /** The external export waiting for the user's consent to replace what is at its target. */
  get pendingOverwrite(): { format: ExternalFormat; path: string } | null {
    return this.#pendingOverwrite;
  }

  /** Export the current model to PyTorch or ONNX; a target Locus did not write is replaced only with overwrite. */
  async exportTo(format: ExternalFormat, path: string, overwrite = false): Promise<boolean> {
    this.#pendingOverwrite = null;
    const target = path.trim();
    let exists = false;
    const ok = await this.#do(async () => {
      try {
        const r = await this.#api.call('models.exportTo', { format, path: target, overwrite });
        const size = `${Math.max(1, Math.round(r.bytes / 1024))} KB`;
        return format === 'pytorch'
          ? `Wrote the PyTorch package ${r.path} (${r.files} files, ${size}): continue with train.py there (see Take it further).`
          : `Wrote ${r.path} (ONNX, ${size}).`;
      } catch (e) {
        exists = asLabError(e).code === 'exists';
        throw e;
      }
    });
    if (exists) this.#pendingOverwrite = { format, path: target };
    return ok;
  }

  async #do(work: () => Promise<string>): Promise<boolean> {
    this.#busy = true;
    try {
      this.#outcome = { ok: true, text: await work() };
      return true;
    } catch (e) {
      this.#outcome = { ok: false, text: asLabError(e).message };
      return false;
    } finally {
      this.#busy = false;
    }
  }

  export(path: string): Promise<boolean> {
    return this.#do(async () => {
      const r = await this.#api.call('models.export', { path: path.trim() });
      return `Saved ${r.path} (${Math.max(1, Math.round(r.bytes / 1024))} KB).`;
    });
  }

  import(path: string): Promise<boolean> {
    return this.#do(async () => {
      const m = await this.#api.call('models.import', { path: path.trim() });
      this.#current = m;
      this.#prediction = null;
      this.#evaluation = null;
      return `Opened ${m.path ?? path}: ${m.classes.length} classes, ${m.epochs} ${m.epochs === 1 ? 'epoch' : 'epochs'} of training.`;
    });
  }

  async predict(params: { path: string } | { index: number }): Promise<void> {
    try {
      this.#prediction = await this.#api.call('models.predict', params);
      this.#predictError = null;
    } catch (e) {
      this.#prediction = null;
      this.#predictError = asLabError(e).message;
    }
  }

  async evaluate(subset: 'all' | 'val'): Promise<void> {
    try {
      this.#evaluation = await this.#api.call('models.evaluate', { subset });
      this.#predictError = null;
    } catch (e) {
      this.#evaluation = null;
      this.#predictError = asLabError(e).message;
    }
  }

  /** A file name for the save dialog: the model's classes or "model", dated. */
  suggestedName(folder: string | null): string {
    const day = new Date().toISOString().slice(0, 10);
    return `${(folder ?? 'model').replace(/[^\w.-]+/g, '-')}-${day}.locus.json`;
  }
}
