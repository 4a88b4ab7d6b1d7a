/**
 * `npm run bench`: training and inference throughput of the engine on fixed shapes, as medians of
 * several timed runs after a warm-up, one line each:
 *   `<workload> locus img_per_s=<wall-clock median> cpu_img_per_s=<CPU-time median>`
 * (CPU time counts every kernel thread). Synthetic inputs (speed does not depend on pixel values).
 * Options: --runs N (default 5), --only NAME, --kernels ts|wasm|auto (default: LOCUS_KERNELS or auto),
 * --threads N|auto (kernel threads; default: LOCUS_THREADS or auto), --compare (also TensorFlow.js on
 * its cpu and wasm backends and, when Debian's python3 has torch, PyTorch with Locus's thread count and
 * with one thread; then a markdown table of the medians and ratios, with the machine and its load average),
 * --memory [--epochs 10] [--images 60000] (resident memory per epoch of LeNet-5 training, memory.ts).
 */
import { parseArgs } from 'node:util';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { kernelBackend, setKernelBackend, wasmActive, type KernelChoice } from '../kernels/backend.js';
import { kernelThreads, setKernelThreads } from '../kernels/wasm/threads.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { presetSpec } from '../models/presets.js';
import { Sequential } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import { printComparison, type Row } from './compare.js';
import { distanceRates } from './distances.js';
import { dcganWorkload } from './gan.js';
import { memoryRun } from './memory.js';
import { measureRates } from './timing.js';

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
      model.backward(caches, grad, false);
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

const { values } = parseArgs({
  options: {
    runs: { type: 'string' }, only: { type: 'string' }, compare: { type: 'boolean' }, kernels: { type: 'string' },
    memory: { type: 'boolean' }, epochs: { type: 'string' }, images: { type: 'string' }, threads: { type: 'string' },
  },
  strict: true,
});
const runs = Math.max(1, Number(values.runs ?? 5));
if (values.kernels) setKernelBackend(values.kernels as KernelChoice);
if (values.threads) setKernelThreads(values.threads === 'auto' ? 'auto' : Number(values.threads));
const h = wasmActive();
const threads = h ? kernelThreads(h) : 1;
console.log(`kernels ${kernelBackend()}${h ? ` (${h.build})` : ''}, ${threads} thread${threads === 1 ? '' : 's'}`);
if (values.memory) {
  await memoryRun(Number(values.epochs ?? 10), Number(values.images ?? 60000));
  process.exit(0);
}
const all: (() => Workload)[] = [
  () => trainWorkload('lenet5-train', 'lenet5', 64),
  () => trainWorkload('mlp-train', 'mlp', 64),
  () => inferWorkload('lenet5-infer', 'lenet5', 256),
  () => dcganWorkload('dcgan-step', 64),
];
const rows: Row[] = [];
for (const make of all) {
  const w = make();
  if (values.only && !w.name.includes(values.only)) continue;
  const r = measureRates(w.run, w.batch, runs);
  rows.push({ name: w.name, locus: r });
  console.log(`${w.name} locus img_per_s=${r.wall.toFixed(1)} cpu_img_per_s=${r.cpu.toFixed(1)}`);
}
if (!values.only || 'nearest-784d'.includes(values.only)) {
  const r = distanceRates(runs);
  console.log(`nearest-784d locus dist_per_s=${r.wall.toFixed(0)} cpu_dist_per_s=${r.cpu.toFixed(0)}`);
}
if (values.compare) await printComparison(rows, { only: values.only, runs, kernels: kernelBackend(), threads });
