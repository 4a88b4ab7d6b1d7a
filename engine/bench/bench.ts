/**
 * `npm run bench`: training and inference throughput of the engine on fixed shapes, as medians of
 * several timed runs after a warm-up, one line each:
 *   `<workload> locus img_per_s=<wall-clock median> cpu_img_per_s=<CPU-time median>`
 * (CPU time counts every kernel thread). Synthetic inputs (speed does not depend on pixel values).
 * Options: --runs N (default 5), --only NAME, --kernels ts|wasm|auto (default: LOCUS_KERNELS or auto),
 * --threads N|auto (kernel threads; default: LOCUS_THREADS or auto), --compare (when Debian's python3 has
 * torch, PyTorch with Locus's thread count and with one thread, each workload alternating Locus and them for
 * --rounds N (default 3) rounds of --runs timed runs (default 3 with --compare); then TensorFlow.js on its
 * cpu and wasm backends, and a markdown table of the medians and ratios, with the machine and its load
 * average; --skip-tfjs leaves TensorFlow.js out: its cpu backend takes minutes on the DCGAN),
 * --memory [--epochs 10] [--images 60000] (resident memory per epoch of LeNet-5 training, memory.ts),
 * --gan-score [--seconds 120] [--runs 3] (the DCGAN's confident-samples score after a time budget, gan-score.ts),
 * --layers vgg64|lenet5|mlp [--steps 30] (each layer's forward and backward time in a training step, layers.ts).
 * --grad-modes vgg64|lenet5|mlp [--seconds 16] (a training step with the grads zeroed then added to, against
 * overwritten by the backward pass, interleaved in one process; layers.ts), --batch-modes likewise (the
 * input batch in an ordinary array against in the kernel memory), --grad-norm vgg64|lenet5|mlp (the trainers'
 * per-step gradient norm on the kernels against the plain loop).
 * Workloads: the networks (workloads.ts: LeNet-5, MLP, LSTM, a VGG-style net on 64x64 colour), the DCGAN
 * round (gan.ts), k-means and SOM on Fashion-MNIST (local.ts, samples per second), folder loading
 * (folder.ts: --folder-images N, default 24, --folder-size WxH, default 3000x4000), nearest-784d.
 */
import { parseArgs } from 'node:util';
import { kernelBackend, setKernelBackend, wasmActive, type KernelChoice } from '../kernels/backend.js';
import { kernelContention, kernelThreads, setKernelThreads } from '../kernels/wasm/threads.js';
import { alternate, loadAverage, printComparison, roundLine, startTwins, type Row, type Twin } from './compare.js';
import { distanceRates } from './distances.js';
import { folderWorkloads, makeJpegFolder } from './folder.js';
import { dcganWorkload } from './gan.js';
import { ganScoreBench } from './gan-score.js';
import { fashionSkip, fashionVectors, LOCAL_NAMES, localWorkloads } from './local.js';
import { gradNormTimes, layerTimes, stepModes } from './layers.js';
import { memoryRun } from './memory.js';
import { measureRates, measureRatesAsync, median, type Rates } from './timing.js';
import { NETWORK_WORKLOADS, type Workload } from './workloads.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' }, rounds: { type: 'string' }, only: { type: 'string' }, compare: { type: 'boolean' }, 'skip-tfjs': { type: 'boolean' }, kernels: { type: 'string' },
    memory: { type: 'boolean' }, epochs: { type: 'string' }, images: { type: 'string' }, threads: { type: 'string' },
    'folder-images': { type: 'string' }, 'folder-size': { type: 'string' },
    'gan-score': { type: 'boolean' }, layers: { type: 'string' }, 'grad-modes': { type: 'string' }, 'batch-modes': { type: 'string' }, 'grad-norm': { type: 'string' }, seconds: { type: 'string' }, steps: { type: 'string' }, 'gan-images': { type: 'string' },
    'lr-g': { type: 'string' }, 'lr-d': { type: 'string' }, beta1: { type: 'string' }, batch: { type: 'string' }, width: { type: 'string' }, k: { type: 'string' },
  },
  strict: true,
});
const runs = Math.max(1, Number(values.runs ?? (values.compare ? 3 : 5)));
const rounds = Math.max(1, Number(values.rounds ?? 3));
if (!Number.isInteger(runs) || !Number.isInteger(rounds)) throw new Error('--runs and --rounds take whole numbers');
if (values.kernels) setKernelBackend(values.kernels as KernelChoice);
if (values.threads) setKernelThreads(values.threads === 'auto' ? 'auto' : Number(values.threads));
const h = wasmActive();
const threads = h ? kernelThreads(h) : 1;
console.log(`kernels ${kernelBackend()}${h ? ` (${h.build})` : ''}, ${threads} thread${threads === 1 ? '' : 's'}`);
if (values.memory) {
  await memoryRun(Number(values.epochs ?? 10), Number(values.images ?? 60000));
  process.exit(0);
}
if (values['gan-score']) {
  const opt = (k: 'lr-g' | 'lr-d' | 'beta1' | 'batch' | 'width' | 'k' | 'steps') => (values[k] !== undefined ? Number(values[k]) : undefined);
  await ganScoreBench({
    seconds: Number(values.seconds ?? 120), steps: opt('steps'), runs: Number(values.runs ?? 3), images: Number(values['gan-images'] ?? 2000),
    lrG: opt('lr-g'), lrD: opt('lr-d'), beta1: opt('beta1'), batch: opt('batch'), width: opt('width'), k: opt('k'),
  });
  process.exit(0);
}
if (values['grad-norm']) {
  gradNormTimes(values['grad-norm']);
  process.exit(0);
}
if (values['grad-modes'] || values['batch-modes']) {
  if (values['grad-modes']) stepModes(values['grad-modes'], 'grads', Number(values.seconds ?? 16));
  else stepModes(values['batch-modes']!, 'batch', Number(values.seconds ?? 16));
  process.exit(0);
}
if (values.layers) {
  layerTimes(values.layers, Number(values.steps ?? 30));
  process.exit(0);
}
const wanted = (name: string) => !values.only || name.includes(values.only);
const loadBefore = loadAverage();
// The twins start (and import their libraries) before any of Locus's runs, so that they load nothing during one.
let twins: Twin[] = [];
if (values.compare) {
  const t = await startTwins(threads);
  if (typeof t === 'string') console.log(t);
  else twins = t;
}
const rows: Row[] = [];
/** A workload measured: with twins, alternating with them for `rounds` rounds (compare.ts), a line a round. */
const measure = async (w: { name: string; unit?: string }, locus: () => Rates | Promise<Rates>, folder?: string) => {
  const done = await alternate(w.name, locus, twins, { rounds, runs, folder }, (r, i) => console.log(roundLine(w.name, i, r)));
  const rates = { wall: median(done.map((q) => q.locus.wall)), cpu: median(done.map((q) => q.locus.cpu)) };
  rows.push({ name: w.name, locus: rates, unit: w.unit, rounds: done });
  const u = w.unit === 'samples' ? 'samples' : 'img';
  console.log(`${w.name} locus ${u}_per_s=${rates.wall.toFixed(1)} cpu_${u}_per_s=${rates.cpu.toFixed(1)}`);
};
const networks: { name: string; make: () => Workload }[] = [
  ...NETWORK_WORKLOADS.slice(0, 3),
  { name: 'dcgan-step', make: () => dcganWorkload('dcgan-step', 64) },
  ...NETWORK_WORKLOADS.slice(3),
];
for (const { name, make } of networks) {
  if (!wanted(name)) continue;
  const w = make();
  await measure(w, () => measureRates(w.run, w.batch, runs));
}
if (LOCAL_NAMES.some(wanted)) {
  const skip = fashionSkip();
  if (skip) console.log(`k-means and SOM skipped: ${skip}`);
  else {
    const { x, n, d } = await fashionVectors();
    for (const w of localWorkloads(x, n, d)) if (wanted(w.name)) await measure(w, () => measureRates(w.run, w.batch, runs));
  }
}
if (wanted('folder-cold') || wanted('folder-cache')) {
  const count = Math.max(2, Number(values['folder-images'] ?? 24));
  const [fw, fh] = (values['folder-size'] ?? '3000x4000').split('x').map(Number);
  if (!(fw >= 1 && fh >= 1)) throw new Error(`--folder-size must be WxH, got ${values['folder-size']}`);
  const t0 = performance.now();
  const folder = await makeJpegFolder(count, fw, fh);
  console.log(`folder: ${count} JPEGs of ${fw}x${fh} ${folder.made ? `made in ${((performance.now() - t0) / 1000).toFixed(1)} s` : 'from an earlier run'} (${folder.dir})`);
  const { workloads, dispose } = folderWorkloads(folder);
  for (const w of workloads) if (wanted(w.name)) await measure(w, () => measureRatesAsync(w.run, w.batch, runs), folder.dir);
  dispose();
}
await Promise.all(twins.map((t) => t.close()));
if (wanted('nearest-784d')) {
  const r = distanceRates(runs);
  console.log(`nearest-784d locus dist_per_s=${r.wall.toFixed(0)} cpu_dist_per_s=${r.cpu.toFixed(0)}`);
}
// With the thread count automatic, calls go to one thread while other programs slow the workers down.
const solos = kernelContention().solos;
if (solos > 0) console.log(`contention: the kernel calls went to one thread ${solos} time${solos === 1 ? '' : 's'} (2 s each) while the workers finished late`);
if (values.compare) await printComparison(rows, { only: values.only, runs, rounds: twins.length ? rounds : 1, kernels: kernelBackend(), threads, loadBefore, tfjs: !values['skip-tfjs'] });
