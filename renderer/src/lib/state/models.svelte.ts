/**
 * The Models view's state: the engine's current model (trained or imported), a GAN or sequence model
 * file opened beside it, export and import with their outcome, and predictions (of a file, a dropped
 * image or an image of the folder) and evaluations made with the current classifier.
 */
import { MAX_IMAGE_BYTES, type LabApi, type ModelEvaluation, type ModelInfo, type Prediction } from '../../../../engine/protocol/contract.js';
import { plural } from '../../../../engine/protocol/words.js';
import { asLabError } from '../errors.js';

export const MODEL_FILTERS = [{ name: 'Locus model', extensions: ['json'] }];

/** Formats a model can leave Locus in (docs/take-it-further.md, docs/exports.md): a PyTorch package folder, one ONNX file or a TensorFlow.js folder. */
export type ExternalFormat = 'pytorch' | 'onnx' | 'tfjs';
export const EXTERNAL_FORMATS: { value: ExternalFormat; label: string }[] = [
  { value: 'pytorch', label: 'PyTorch package (folder)' },
  { value: 'onnx', label: 'ONNX file' },
  { value: 'tfjs', label: 'TensorFlow.js (folder: model.json + weights)' },
];

/** Which model an export takes: the current classifier, or the GAN / sequence file opened beside it. */
export type ModelChoice = 'current' | 'opened';

/** Image types a person may drop or pick to classify (the engine sniffs the bytes; the name does not decide). */
export const IMAGE_TYPES = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff'];

export interface Outcome {
  ok: boolean;
  text: string;
}

export class ModelStore {
  #api: LabApi;
  #current = $state.raw<ModelInfo | null>(null);
  #opened = $state.raw<ModelInfo | null>(null);
  /** The model the view shows and exports: the last one opened or trained. */
  #showing = $state<ModelChoice>('current');
  /** The image a dropped or picked file's prediction is of (an object URL of its bytes) and its name. */
  #dropped = $state.raw<{ url: string; name: string } | null>(null);
  #busy = $state(false);
  #outcome = $state.raw<Outcome | null>(null);
  #prediction = $state.raw<Prediction | null>(null);
  #evaluation = $state.raw<ModelEvaluation | null>(null);
  #predictError = $state<string | null>(null);
  /** An external export refused because its target holds something else: the user may confirm. */
  #pendingOverwrite = $state.raw<{ format: ExternalFormat; path: string; model: ModelChoice } | null>(null);

  constructor(api: LabApi) {
    this.#api = api;
    api.on('models.changed', (m) => {
      this.#current = m;
      this.#showing = 'current';
    });
    api.on('engine.restarted', () => {
      this.#current = null;
      this.#opened = null;
      this.#showing = 'current';
      this.#prediction = null;
      this.#evaluation = null;
    });
    void api.call('models.current', {}).then(
      (r) => {
        if (r.model && !this.#current) this.#current = r.model;
        if (r.opened && !this.#opened) this.#opened = r.opened;
        if (!this.#current && this.#opened) this.#showing = 'opened';
      },
      () => {},
    );
  }

  /** A GAN or sequence model file opened beside the current classifier (null: none). */
  get opened(): ModelInfo | null {
    return this.#opened;
  }
  get showing(): ModelChoice {
    return this.#opened ? this.#showing : 'current';
  }
  set showing(c: ModelChoice) {
    this.#showing = c;
  }
  /** The model shown now. */
  get shown(): ModelInfo | null {
    return this.showing === 'opened' ? this.#opened : this.#current;
  }
  /** The dropped or picked image the prediction is of. */
  get dropped(): { url: string; name: string } | null {
    return this.#dropped;
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
  get pendingOverwrite(): { format: ExternalFormat; path: string; model: ModelChoice } | null {
    return this.#pendingOverwrite;
  }

  /**
   * Export the model shown (or `model`) to PyTorch, ONNX or TensorFlow.js; a target Locus did not write
   * is replaced only with overwrite.
   */
  async exportTo(format: ExternalFormat, path: string, overwrite = false, model: ModelChoice = this.showing): Promise<boolean> {
    this.#pendingOverwrite = null;
    const target = path.trim();
    let exists = false;
    const ok = await this.#do(async () => {
      try {
        const r = await this.#api.call('models.exportTo', { format, path: target, overwrite, model });
        const size = `${Math.max(1, Math.round(r.bytes / 1024))} KB`;
        if (format === 'pytorch') return `Wrote the PyTorch package ${r.path} (${r.files} files, ${size}): continue with train.py there (see Take it further).`;
        if (format === 'tfjs') return `Wrote ${r.path}/model.json and its weights (TensorFlow.js layers format, ${size}): load it with tf.loadLayersModel.`;
        return `Wrote ${r.path} (ONNX, ${size}).`;
      } catch (e) {
        exists = asLabError(e).code === 'exists';
        throw e;
      }
    });
    if (exists) this.#pendingOverwrite = { format, path: target, model };
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
      if (m.kind !== 'classifier') {
        this.#opened = m;
        this.#showing = 'opened';
        return `Opened ${m.path ?? path}: ${m.about?.what ?? `a "${m.kind}" model`}, ${plural(m.epochs, 'epoch')} of training.`;
      }
      this.#current = m;
      this.#showing = 'current';
      this.#prediction = null;
      this.#evaluation = null;
      return `Opened ${m.path ?? path}: ${m.classes.length} classes, ${m.epochs} ${m.epochs === 1 ? 'epoch' : 'epochs'} of training.`;
    });
  }

  async predict(params: { path: string } | { index: number }): Promise<void> {
    this.#setDropped(null);
    try {
      this.#prediction = await this.#api.call('models.predict', params);
      this.#predictError = null;
    } catch (e) {
      this.#prediction = null;
      this.#predictError = asLabError(e).message;
    }
  }

  #setDropped(d: { url: string; name: string } | null): void {
    if (this.#dropped) URL.revokeObjectURL(this.#dropped.url);
    this.#dropped = d;
  }

  /**
   * Classify an image file dropped on the view or picked with the file input: its bytes go to the
   * engine (never a path), which decodes them as it decodes a folder's files. Too large a file, or
   * not a file, is refused here with the reason; the engine refuses what is not an image.
   */
  async predictFile(file: File): Promise<void> {
    this.#setDropped(null);
    this.#prediction = null;
    if (file.size === 0) {
      this.#predictError = `${file.name}: empty file (0 bytes)`;
      return;
    }
    if (file.size > MAX_IMAGE_BYTES) {
      this.#predictError = `${file.name}: ${(file.size / 1048576).toFixed(1)} MB is over the ${MAX_IMAGE_BYTES / 1048576} MB an image may have here`;
      return;
    }
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const p = await this.#api.call('models.predict', { bytes, name: file.name.slice(0, 1024) });
      this.#prediction = p;
      this.#setDropped({ url: URL.createObjectURL(new Blob([bytes], { type: file.type || 'application/octet-stream' })), name: file.name });
      this.#predictError = null;
    } catch (e) {
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
