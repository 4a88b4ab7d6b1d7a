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
import { Sequential, trainingArena, type SequentialSpec } from '../models/sequential.js';
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

export function layerTimes(name: string, steps: number): void {
  const make = NETWORKS[name];
  if (!make) throw new Error(`--layers takes one of ${LAYER_NETWORKS.join(', ')}, not "${name}"`);
  if (steps <= WARM_UP) throw new Error(`--steps must be more than ${WARM_UP} (the warm-up steps)`);
  const { spec, batch } = make();
  const rng = new Rng(1);
  const model = new Sequential(spec, rng);
  const x = tensor([batch, ...spec.input]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
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
