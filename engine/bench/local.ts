/**
 * The local-model workloads of `npm run bench` on Debian's Fashion-MNIST training images (60,000 x 784,
 * pixels / 255), skipped with the reason when the files are missing. Rates are samples per second
 * (60,000 / rate = seconds per epoch). Twins in scripts/bench_torch.py: scikit-learn's KMeans (Lloyd,
 * one start from the same kind of initial centroids, the same iterations) and a vectorized numpy SOM
 * (MiniSom's online update, one sample at a time, all units at once).
 *  - kmeans-online: online k-means (k=64, rate 1/count), one call = 2,000 presented samples;
 *  - kmeans-lloyd:  Lloyd iterations (k=64) over all 60,000, one call = 2 iterations (+ the final
 *    assignment, as scikit-learn's);
 *  - som-online:    a 20x20 SOM (gaussian, rectangular), one call = 200 presented samples.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_FASHION_MNIST, readIdxImages } from '../data/idx.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import { OnlineKMeans } from '../local/kmeans.js';
import { Som } from '../local/som.js';
import type { Workload } from './workloads.js';

export const LOCAL_NAMES = ['kmeans-online', 'kmeans-lloyd', 'som-online'] as const;
export const LLOYD_ITERATIONS = 2;

export function fashionSkip(): string | false {
  return existsSync(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz')) ? false : `Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})`;
}

export async function fashionVectors(): Promise<{ x: Float32Array; n: number; d: number }> {
  const f = await readIdxImages(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'), join(DEBIAN_FASHION_MNIST, 'train-labels-idx1-ubyte.gz'));
  const d = f.height * f.width;
  // Made as a cluster source's samples are (engine/session/cluster/source.ts): in the kernel memory.
  const x = selfOwnedZeros(f.n * d, 'data');
  for (let i = 0; i < x.length; i++) x[i] = f.pixels[i] / 255;
  return { x, n: f.n, d };
}

export function localWorkloads(x: Float32Array, n: number, d: number): Workload[] {
  const online = new OnlineKMeans({ k: 64, dim: d, init: 'random', seed: 1 });
  online.init(x, n);
  const lloyd = new OnlineKMeans({ k: 64, dim: d, init: 'random', seed: 1 });
  lloyd.init(x, n);
  const start = lloyd.prototypes.data.slice();
  // A long schedule, so eta and sigma stay near their starting values (1 is MiniSom's default radius).
  const total = 1e7;
  const som = new Som({ dim: d, width: 20, height: 20, rate: { kind: 'asymptotic', start: 0.5, total }, radius: { kind: 'asymptotic', start: 1, total }, seed: 1 });
  som.init(x, n, 'sample');
  return [
    { name: 'kmeans-online', batch: 2000, unit: 'samples', run: () => { for (let s = 0; s < 2000; s++) online.step(x, n); } },
    {
      name: 'kmeans-lloyd',
      batch: LLOYD_ITERATIONS * n,
      unit: 'samples',
      run: () => {
        lloyd.prototypes.data.set(start); // every call starts from the same centroids
        lloyd.lloyd(x, n, LLOYD_ITERATIONS);
      },
    },
    { name: 'som-online', batch: 200, unit: 'samples', run: () => { for (let s = 0; s < 200; s++) som.step(x, n); } },
  ];
}
