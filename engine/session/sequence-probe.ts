/**
 * What a sequence network does over time on a probe batch, measured in one inference pass: the gate
 * activations of every recurrent layer (their own gateTrace), or for a time-delay network the tanh
 * outputs after each conv1d layer, as per-step means over the batch and units plus one chosen sample's
 * [steps, units] matrices; and that sample's input and the network's output for it.
 */
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import type { SequenceSource } from '../data/series.js';
import { hasGateTrace } from '../layers/recurrent.js';
import type { Sequential } from '../models/sequential.js';
import type { SeqTrace } from '../protocol/sequence.js';
import { softmaxRow } from './evaluate.js';
import { layerName } from './layer-groups.js';
import { forwardTraced } from './telemetry.js';

export interface Probe {
  traces: SeqTrace[];
  input: Float32Array;
  output: Float32Array;
  label: number;
  target: number | null;
}

/** A [batch, steps, units] output as a trace of one name. */
function outputTrace(layer: string, name: string, y: Tensor, sample: number): SeqTrace {
  const [B, T, U] = y.shape;
  const means = new Float32Array(T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * U;
      let acc = 0;
      for (let j = 0; j < U; j++) acc += y.data[o + j];
      means[t] += acc;
    }
  }
  for (let t = 0; t < T; t++) means[t] /= B * U;
  return { layer, steps: T, units: U, names: [name], means: [means], matrices: [y.data.slice(sample * T * U, (sample + 1) * T * U)] };
}

/** Traces of the network on source[indices] with sample `sample` (a position in indices) drawn. */
export function probe(model: Sequential, source: SequenceSource, indices: Int32Array, sample: number): Probe {
  const n = indices.length;
  if (!(Number.isInteger(sample) && sample >= 0 && sample < n)) throw new RangeError(`sample ${sample} is outside the ${n} probe sequences`);
  const per = source.steps * source.features;
  const x = new Float32Array(n * per);
  source.fill(indices, 0, n, x);
  const { y, caches, outputs } = forwardTraced(model, tensor([n, source.steps, source.features], x), { training: false, rng: new Rng(0) });
  const traces: SeqTrace[] = [];
  model.layers.forEach((l, i) => {
    if (hasGateTrace(l)) {
      const g = l.gateTrace(caches[i], sample);
      traces.push({
        layer: layerName(i, l),
        steps: g.steps,
        units: g.units,
        names: g.names,
        means: g.means.map((m) => Float32Array.from(m)),
        matrices: (g.sample?.matrices ?? []).map((m) => Float32Array.from(m)),
      });
    } else if (l.type === 'tanh' && model.layers[i - 1]?.type === 'conv1d' && outputs[i].shape.length === 3) {
      traces.push(outputTrace(layerName(i - 1, model.layers[i - 1]), 'tanh', outputs[i], sample));
    }
  });
  const k = source.outputs;
  const output = source.task === 'classify' ? Float32Array.from(softmaxRow(y.data, sample * k, k)) : y.data.slice(sample * k, (sample + 1) * k);
  const i = indices[sample];
  return {
    traces,
    input: x.slice(sample * per, (sample + 1) * per),
    output,
    label: source.labels ? source.labels[i] : -1,
    target: source.targets ? source.targets[i * k] : null,
  };
}

/** True when every number of a probe is finite (a diverged network's are not; such a probe is not sent). */
export function finiteProbe(p: Probe): boolean {
  const ok = (a: Float32Array) => a.every(Number.isFinite);
  return ok(p.output) && p.traces.every((t) => t.means.every(ok) && t.matrices.every(ok));
}
