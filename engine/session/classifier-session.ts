/**
 * A classifier training session that a worker can drive: commands in (plain objects), events out (plain
 * objects whose arrays are numbers or Float32Arrays, so they pass through postMessage or structured
 * clone unchanged, and through JSON once the typed arrays are converted).
 *
 *   const s = new ClassifierSession(init, (event) => port.postMessage(event));
 *   void s.start();                          // trains; events: batch, epoch, telemetry, state, done
 *   s.command({ type: 'pause' });            // also: resume, step {steps}, stop, setLr {lr},
 *   s.command({ type: 'setLr', lr: 1e-4 });  //   telemetry (stats at the next step), inspect {index},
 *   s.command({ type: 'step' });             //   prune {fraction, units} (while paused or done)
 *
 * Every command returns its reply at once (and emits the events it causes); a command that cannot apply
 * now throws an Error saying why.
 */
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { normalizeInto } from '../data/normalize.js';
import { pruneEdges, pruneUnits, type PruneReport } from '../models/prune.js';
import type { RunState } from './control.js';
import { ClassifierTrainer, type ClassifierTrainerInit, type DoneEvent, type TrainEvent } from './classifier.js';
import { evaluate, softmaxRow } from './evaluate.js';
import { featureMaps, firstLayerFilters, type FeatureMaps, type FloatImages } from './telemetry.js';

export type SessionCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step'; steps?: number }
  | { type: 'stop' }
  | { type: 'setLr'; lr: number }
  | { type: 'telemetry' }
  | { type: 'inspect'; index: number; layer?: number }
  | { type: 'prune'; fraction: number; units?: boolean };

export interface Inspection {
  type: 'inspection';
  index: number;
  label: number;
  probabilities: number[];
  filters: FloatImages | null;
  maps: FeatureMaps[];
}

export interface PruneResult {
  type: 'pruned';
  report: PruneReport;
  /** Accuracy on the validation images (the training images when there are none), before and after. */
  accuracyBefore: number;
  accuracyAfter: number;
}

export type SessionEvent = TrainEvent | { type: 'state'; state: RunState | 'done' } | Inspection | PruneResult;

export class ClassifierSession {
  readonly trainer: ClassifierTrainer;
  readonly #init: ClassifierTrainerInit;
  readonly #emit: (e: SessionEvent) => void;
  #running: Promise<DoneEvent> | null = null;
  #done: DoneEvent | null = null;

  constructor(init: ClassifierTrainerInit, emit: (e: SessionEvent) => void) {
    this.trainer = new ClassifierTrainer(init);
    this.#init = init;
    this.#emit = emit;
  }

  /** 'idle' before start, then the run control's state, 'done' once finished. */
  get state(): RunState | 'idle' | 'done' {
    if (this.#done) return 'done';
    return this.#running ? this.trainer.control.state : 'idle';
  }

  /** Start training (optionally paused, to go step by step). Resolves with the done event. */
  start(paused = false): Promise<DoneEvent> {
    if (this.#running) throw new Error('the session has already started');
    if (paused) this.trainer.control.pause();
    this.#emit({ type: 'state', state: this.trainer.control.state });
    this.#running = this.trainer.run((e) => this.#emit(e)).then((done) => {
      this.#done = done;
      this.#emit({ type: 'state', state: 'done' });
      return done;
    });
    return this.#running;
  }

  command(c: SessionCommand): { state: RunState | 'idle' | 'done' } | { lr: number } | Inspection | PruneResult {
    const control = this.trainer.control;
    const live = () => {
      if (this.#done) throw new Error(`the session has finished (${this.#done.reason}); start a new one`);
    };
    switch (c.type) {
      case 'pause':
      case 'resume':
      case 'stop':
        live();
        control[c.type]();
        this.#emit({ type: 'state', state: control.state });
        return { state: this.state };
      case 'step': {
        live();
        const n = c.steps ?? 1;
        if (!(Number.isInteger(n) && n >= 1)) throw new Error(`steps must be a whole number >= 1, got ${n}`);
        if (control.state === 'running') control.pause();
        control.step(n);
        this.#emit({ type: 'state', state: control.state });
        return { state: this.state };
      }
      case 'setLr':
        live();
        this.trainer.setLr(c.lr);
        return { lr: this.trainer.optimizer.lr };
      case 'telemetry':
        live();
        this.trainer.requestTelemetry();
        return { state: this.state };
      case 'inspect': {
        const r = this.#inspect(c.index, c.layer);
        this.#emit(r);
        return r;
      }
      case 'prune': {
        if (this.state === 'running') throw new Error('pause the session before pruning');
        const r = this.#prune(c.fraction, c.units ?? false);
        this.#emit(r);
        return r;
      }
      default:
        throw new Error(`unknown session command "${(c as { type: string }).type}"`);
    }
  }

  #inspect(index: number, layer?: number): Inspection {
    const { set, model, normalization } = this.#init;
    if (!(Number.isInteger(index) && index >= 0 && index < set.n)) throw new Error(`image ${index} is not in the set (${set.n} images)`);
    const hw = set.height * set.width;
    const x = tensor([1, ...model.inputShape]);
    normalizeInto(set.pixels, index, 1, set.channels, hw, normalization, x.data);
    const logits = model.predict(x, new Rng(0));
    return {
      type: 'inspection',
      index,
      label: set.labels[index],
      probabilities: softmaxRow(logits.data, 0, logits.data.length),
      filters: firstLayerFilters(model),
      maps: featureMaps(model, x, layer),
    };
  }

  #prune(fraction: number, units: boolean): PruneResult {
    const { set, model, normalization, val, train } = this.#init;
    const on = val.length > 0 ? val : train;
    const accuracyBefore = evaluate(model, set, on, normalization).accuracy;
    const report = units ? pruneUnits(model, fraction) : pruneEdges(model, fraction);
    const accuracyAfter = evaluate(model, set, on, normalization).accuracy;
    return { type: 'pruned', report, accuracyBefore, accuracyAfter };
  }
}
