/**
 * Figures in words: how the report, the table and the one-line finding write a figure, and the finding
 * itself ("first-layer gradient norm: sigmoid 7.1e-7, ReLU 0.93; highest: ReLU").
 */
import type { ExperimentFile } from '../../io/experiment.js';

const PERCENT = /acc|purity|dead|saturated|share|gap|sparsity|confident|coverage|^te$/i;


/** A figure as text: shares as percentages, very small or large numbers in exponent form. */
export function formatFigure(key: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (PERCENT.test(key)) return `${(100 * v).toFixed(1)}%`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  if (Number.isInteger(v)) return String(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

export interface Named {
  name: string;
  figures: Record<string, number | null>;
}

/** The experiment's one-line finding, from the variants' figures (only those that finished are named). */
export function finding(e: ExperimentFile, variants: readonly Named[]): string {
  const spec = e.finding ?? { metric: e.metrics[0], label: e.metrics[0] };
  const m = spec.metric;
  const parts = variants.map((v) => `${v.name} ${formatFigure(m, v.figures[m])}`);
  if (!parts.length) return '';
  let line = `${spec.label}: ${parts.join(', ')}`;
  if (spec.better && variants.length > 1) {
    const scored = variants.filter((v) => typeof v.figures[m] === 'number' && Number.isFinite(v.figures[m]));
    if (scored.length > 1) {
      const best = scored.reduce((a, b) => ((spec.better === 'higher' ? (b.figures[m] as number) > (a.figures[m] as number) : (b.figures[m] as number) < (a.figures[m] as number)) ? b : a));
      line += `; ${spec.better === 'higher' ? 'highest' : 'lowest'}: ${best.name}`;
    }
  }
  return line;
}
