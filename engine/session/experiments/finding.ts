/**
 * The one-line finding of an experiment, computed from its variants' figures ("first-layer gradient
 * norm: sigmoid 3.3e-6, ReLU 3.15; highest: ReLU"), with other figures in parentheses after each
 * variant's when the experiment asks ("...: grown 80.0% (parameters 118282), ..."). Figures are written
 * by formatFigure (protocol).
 */
import type { ExperimentFile } from '../../io/experiment.js';
import { figureName, formatFigure } from '../../protocol/experiments.js';

export interface Named {
  name: string;
  figures: Record<string, number | null>;
}

/** The experiment's one-line finding, from the variants' figures (only those that finished are named). */
export function finding(e: ExperimentFile, variants: readonly Named[]): string {
  const spec = e.finding ?? { metric: e.metrics[0], label: e.metrics[0] };
  const m = spec.metric;
  const also = spec.also ?? [];
  const more = (v: Named): string => (also.length ? ` (${also.map((k) => `${figureName(k)} ${formatFigure(k, v.figures[k])}`).join(', ')})` : '');
  const parts = variants.map((v) => `${v.name} ${formatFigure(m, v.figures[m])}${more(v)}`);
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
