/**
 * `npm run bench -- --layers NAME [--steps N]`: where a network's training step spends its time, layer by
 * layer. Runs N training steps of the workload's network (workloads.ts: vgg64, lenet5, mlp; its batch)
 * from one training arena, timing each layer's forward and backward call, and prints the median of each
 * (the first 5 steps left out as warm-up), one line a layer, then the totals:
 *   `<index> <layer type> <config> forward_ms=<median> backward_ms=<median>`
 * The loss and the optimizer step are not timed. Run it with LOCUS_THREADS=1 to see one thread's work.
 */
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/softmaxCrossEntropy.js';
import { Sequential, trainingArena, type SequentialSpec } from '../models/sequential.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import { createOptimizer, gradNorm } from '../optim/index.js';
import { gray28, vgg64 } from './workloads.js';

const NETWORKS: Record<string, () => { spec: SequentialSpec; batch: number }> = {
  vgg64: () => ({ spec: vgg64(), batch: 32 }),
  lenet5: () => ({ spec: gray28('lenet5'), batch: 64 }),
  mlp: () => ({ spec: gray28('mlp'), batch: 64 }),
};

export const LAYER_NETWORKS = Object.keys(NETWORKS);

const WARM_UP = 5;

function median(a: number[]): number {
  const b = a.slice(WARM_UP).sort((p, q) => p - q);
  return b[b.length >> 1];
}

/**
 * What makes the network `name` (refused in words when it is not one of NETWORKS; `flag` names the
 * option): the model made from seed 1, and a batch of uniform inputs drawn after it.
 */
function network(name: string, flag: string): () => { batch: number; rng: Rng; model: Sequential; x: Tensor } {
  const make = NETWORKS[name];
  if (!make) throw new Error(`${flag} takes one of ${LAYER_NETWORKS.join(', ')}, not "${name}"`);
  return () => {
    const { spec, batch } = make();
    const rng = new Rng(1);
    const model = new Sequential(spec, rng);
    const x = tensor([batch, ...spec.input]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
    return { batch, rng, model, x };
  };
}

export function layerTimes(name: string, steps: number): void {
  const make = network(name, '--layers');
  if (steps <= WARM_UP) throw new Error(`--steps must be more than ${WARM_UP} (the warm-up steps)`);
  const { batch, rng, model, x } = make();
  const arena = trainingArena();
  const ctx = { training: true, rng, arena };
  const layers = model.layers;
  const forward = layers.map(() => [] as number[]);
  const backward = layers.map(() => [] as number[]);
  for (let s = 0; s < steps; s++) {
    arena.reset();
    let h: Tensor = x;
    const caches: unknown[] = [];
    layers.forEach((layer, i) => {
      const t0 = performance.now();
      const r = layer.forward(h, ctx);
      forward[i].push(performance.now() - t0);
      h = r.y;
      caches.push(r.cache);
    });
    let g = tensor(h.shape);
    g.data.fill(1 / g.data.length);
    for (let i = layers.length - 1; i >= 0; i--) {
      const t0 = performance.now();
      g = layers[i].backward(caches[i] as never, g, i > 0, arena, true);
      backward[i].push(performance.now() - t0);
    }
  }
  let totalF = 0;
  let totalB = 0;
  layers.forEach((layer, i) => {
    const f = median(forward[i]);
    const b = median(backward[i]);
    totalF += f;
    totalB += b;
    const config = JSON.stringify((layer as { config?: unknown }).config ?? {});
    console.log(`${i} ${layer.constructor.name} ${config} forward_ms=${f.toFixed(2)} backward_ms=${b.toFixed(2)}`);
  });
  console.log(`${name} batch=${batch} forward_ms=${totalF.toFixed(1)} backward_ms=${totalB.toFixed(1)} img_per_s=${((batch / (totalF + totalB)) * 1000).toFixed(0)}`);
}

/**
 * Run each way for windowMs at a time, the ways alternating, for `warm` unrecorded rounds and then 12
 * recorded ones; the median microseconds a call of each way.
 */
function interleaved(ways: readonly (() => void)[], windowMs: number, warm: number): number[] {
  const us = ways.map(() => [] as number[]);
  for (let r = -warm; r < 12; r++) {
    ways.forEach((f, w) => {
      const t0 = performance.now();
      let k = 0;
      do {
        f();
        k++;
      } while (performance.now() - t0 < windowMs);
      if (r >= 0) us[w].push(((performance.now() - t0) / k) * 1000);
    });
  }
  return us.map((a) => a.slice().sort((p, q) => p - q)[a.length >> 1]);
}

/** What `stepModes` compares: the grads zeroed then added to against overwritten, or the batch in an ordinary array against in the kernel memory. */
export type StepModes = 'grads' | 'batch';

const MODE_NAMES: Record<StepModes, [string, string]> = { grads: ['fill', 'set'], batch: ['plain', 'resident'] };

/**
 * `npm run bench -- --grad-modes NAME [--seconds S]` and `--batch-modes NAME`: a whole training step
 * (forward, loss, backward, Adam) two ways, interleaved in one process: 12 windows of S / 24 seconds each
 * way, alternating, after a warm-up of both. grads: the grads zeroed and then added to (`fill`) against
 * overwritten by the backward pass (`set`, Sequential.backward's paramGrads 'set', what the trainers do);
 * batch: the input batch in an ordinary array (`plain`, copied into the kernel memory by the first layer)
 * against in the kernel memory (`resident`, as the trainers keep it). Prints the medians and their ratio:
 *   `<name> batch=<b> <first>_us=<median> <second>_us=<median> <first>/<second>=<ratio>`
 * In one process and alternating every fraction of a second, the machine's drift between minutes (a third
 * on this kind of machine) falls on both alike, so a difference of a few percent shows.
 */
export function stepModes(name: string, what: StepModes, seconds: number): void {
  const make = network(name, what === 'grads' ? '--grad-modes' : '--batch-modes');
  if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${seconds}`);
  const { batch, rng, model, x: plain } = make();
  const params = model.params();
  const opt = createOptimizer({ type: 'adam', lr: 1e-3 });
  const resident = tensor(plain.shape, selfOwnedZeros(plain.data.length));
  resident.data.set(plain.data);
  const labels = new Int32Array(batch).map(() => rng.int(10));
  const arena = trainingArena();
  const ctx = { training: true, rng, arena };
  const step = (second: boolean) => {
    const set = what === 'batch' || second;
    arena.reset();
    const { y, caches } = model.forward(what === 'batch' && !second ? plain : resident, ctx);
    const { grad } = softmaxCrossEntropy(y, labels);
    if (!set) for (const p of params) p.grad.fill(0);
    model.backward(caches, grad, false, arena, set ? 'set' : true);
    opt.step(params);
  };
  for (let i = 0; i < WARM_UP; i++) {
    step(false);
    step(true);
  }
  const [ua, ub] = interleaved([() => step(false), () => step(true)], (seconds * 1000) / 24, 0);
  const [a, b] = MODE_NAMES[what];
  console.log(`${name} batch=${batch} ${a}_us=${ua.toFixed(1)} ${b}_us=${ub.toFixed(1)} ${a}/${b}=${(ua / ub).toFixed(3)}`);
}

/**
 * `npm run bench -- --grad-norm NAME`: the gradient norm the trainers take at every step (optim/clip.ts
 * gradNorm) over the network's params after one backward pass, on the kernels (`kernels`, what runs)
 * against the plain double loop over every value (`loop`, what ran before), interleaved in one process:
 * 12 windows of 0.25 s each way. Prints `<name> params=<count> loop_us=<median> kernels_us=<median>
 * loop/kernels=<ratio>`.
 */
export function gradNormTimes(name: string): void {
  const { batch, rng, model, x } = network(name, '--grad-norm')();
  const params = model.params();
  const { y, caches } = model.forward(x, { training: true, rng });
  model.backward(caches, softmaxCrossEntropy(y, new Int32Array(batch).map(() => rng.int(10))).grad, false, undefined, 'set');
  const loop = () => {
    let s = 0;
    for (const p of params) for (let j = 0; j < p.grad.length; j++) s += p.grad[j] * p.grad[j];
    return Math.sqrt(s);
  };
  const [ul, uk] = interleaved([loop, () => gradNorm(params)], 250, 1);
  const count = params.reduce((n, p) => n + p.grad.length, 0);
  console.log(`${name} params=${count} loop_us=${ul.toFixed(1)} kernels_us=${uk.toFixed(1)} loop/kernels=${(ul / uk).toFixed(2)}`);
}
