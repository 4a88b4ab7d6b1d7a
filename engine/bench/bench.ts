/**
 * `npm run bench`: training and inference throughput of the engine on fixed shapes, as medians of
 * several timed runs after a warm-up, one line each: `<workload> locus img_per_s=<median>`.
 * Synthetic inputs (speed does not depend on pixel values). Options: --runs N (default 5), --only NAME.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { presetSpec } from '../models/presets.js';
import { Sequential } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import { dcganWorkload } from './gan.js';

interface Workload {
  name: string;
  batch: number;
  /** Images processed by one call. */
  run: () => void;
}

function trainWorkload(name: string, preset: string, batch: number): Workload {
  const rng = new Rng(1);
  const model = new Sequential(presetSpec(preset, [1, 28, 28], 10), rng);
  const params = model.params();
  const opt = createOptimizer({ type: 'adam', lr: 1e-3 });
  const x = tensor([batch, 1, 28, 28]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
  const labels = new Int32Array(batch).map(() => rng.int(10));
  const ctx = { training: true, rng };
  return {
    name,
    batch,
    run: () => {
      const { y, caches } = model.forward(x, ctx);
      const { grad } = softmaxCrossEntropy(y, labels);
      for (const p of params) p.grad.fill(0);
      model.backward(caches, grad);
      opt.step(params);
    },
  };
}

function inferWorkload(name: string, preset: string, batch: number): Workload {
  const rng = new Rng(1);
  const model = new Sequential(presetSpec(preset, [1, 28, 28], 10), rng);
  const x = tensor([batch, 1, 28, 28]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
  return { name, batch, run: () => void model.predict(x, rng) };
}

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Images per second: repeat the workload for about `seconds`, `runs` times, take the median. */
export function measure(w: Workload, runs: number, seconds = 1): number {
  w.run(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let images = 0;
    const t0 = performance.now();
    let t = t0;
    do {
      w.run();
      images += w.batch;
      t = performance.now();
    } while (t - t0 < seconds * 1000);
    rates.push(images / ((t - t0) / 1000));
  }
  return median(rates);
}

const { values } = parseArgs({
  options: { runs: { type: 'string' }, only: { type: 'string' }, compare: { type: 'boolean' } },
  strict: true,
});
const runs = Math.max(1, Number(values.runs ?? 5));
const all: (() => Workload)[] = [
  () => trainWorkload('lenet5-train', 'lenet5', 64),
  () => trainWorkload('mlp-train', 'mlp', 64),
  () => inferWorkload('lenet5-infer', 'lenet5', 256),
  () => dcganWorkload('dcgan-step', 64),
];
for (const make of all) {
  const w = make();
  if (values.only && !w.name.includes(values.only)) continue;
  const ips = measure(w, runs);
  console.log(`${w.name} locus img_per_s=${ips.toFixed(1)}`);
}
if (values.compare) console.log('compare: TensorFlow.js and PyTorch comparisons are not wired in yet');
