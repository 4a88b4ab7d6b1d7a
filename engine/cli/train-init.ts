/**
 * `locus train --init MODEL.json`: continuing a saved classifier. The architecture, classes, input size
 * and normalization come from the file, so the options that would choose them are refused; the history
 * goes on with the next epoch numbers.
 */
import type { HistoryEntry, LoadedClassifier } from '../io/index.js';
import { UsageError } from './output.js';

export const INIT_USAGE = `  --init MODEL.json   continue training a saved classifier (e.g. pruned or grown): its architecture,
                      classes (the folder's must be the same), input size and normalization are kept;
                      its optimizer state too unless --optimizer, --lr, --weight-decay or --decoupled
                      is given (then a new optimizer); pruned weights stay 0; the history goes on`;

/** Options that choose what --init takes from the file. */
const FROM_FILE = ['model', 'depth', 'batch-norm', 'activation', 'dropout', 'input-dropout', 'size', 'channels', 'fit', 'units', 'experts', 'supervised', 'seeds', 'freeze-seeds'];

export function checkInitArgs(v: Record<string, unknown>): void {
  const given = FROM_FILE.filter((k) => v[k] !== undefined);
  if (given.length) {
    throw new UsageError(`${given.map((k) => `--${k}`).join(', ')} cannot be used with --init: the architecture, input size and normalization come from the model file`);
  }
}

/** The last epoch number of a history (0 when empty). */
export function lastEpoch(history: readonly HistoryEntry[]): number {
  return history.length ? history[history.length - 1].epoch : 0;
}

/** The file's history followed by the new epochs, numbered on from its last. */
export function continuedHistory<T extends { epoch: number }>(saved: readonly HistoryEntry[], added: readonly T[]): object[] {
  const offset = lastEpoch(saved);
  return [...saved, ...added.map((h) => ({ ...h, epoch: offset + h.epoch }))];
}

/** The validation fraction the file was trained with (so the same folder and seed hold out the same images). */
export function savedValFraction(m: Pick<LoadedClassifier, 'training'>): number {
  const f = m.training.settings.valFraction;
  return typeof f === 'number' && f >= 0 && f <= 0.9 ? f : 0.1;
}
