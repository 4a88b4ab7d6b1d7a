/**
 * For the local models' comparisons with scikit-learn: whether /usr/bin/python3 can import it, running
 * a script on arrays written to a temporary folder, and class-balanced Fashion-MNIST subsets from
 * Debian's dataset-fashion-mnist (first N images of each class).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBIAN_FASHION_MNIST, readIdxImages } from '../data/idx.js';

export const PY = '/usr/bin/python3';

/** false when scikit-learn is importable, else the reason it is not. */
export function sklearnSkip(): string | false {
  const probe = spawnSync(PY, ['-c', 'import sklearn'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `scikit-learn is not importable by ${PY} (apt-get install python3-sklearn): ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`;
}

export function writeF32(dir: string, name: string, a: Float32Array): void {
  writeFileSync(join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

/** Run a Python script with a fresh folder (argv[1]) that `fill` writes the inputs into; its stdout is JSON. */
export function runPython(script: string, fill: (dir: string) => void): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'locus-sklearn-'));
  try {
    fill(dir);
    const r = spawnSync(PY, ['-c', script, dir], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr || String(r.error)}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Subset {
  /** n x 784 bytes. */
  pixels: Uint8Array;
  labels: Int32Array;
  n: number;
}

/** The first perClass images of each class of a Fashion-MNIST split, in file order. */
export async function fashionSubset(split: 'train' | 'test', perClass: number): Promise<Subset> {
  const pre = split === 'test' ? 't10k' : 'train';
  const d = await readIdxImages(join(DEBIAN_FASHION_MNIST, `${pre}-images-idx3-ubyte.gz`), join(DEBIAN_FASHION_MNIST, `${pre}-labels-idx1-ubyte.gz`));
  const per = d.height * d.width;
  const took = new Array<number>(10).fill(0);
  const idx: number[] = [];
  for (let i = 0; i < d.n && idx.length < 10 * perClass; i++) if (took[d.labels[i]]++ < perClass) idx.push(i);
  const pixels = new Uint8Array(idx.length * per);
  const labels = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    pixels.set(d.pixels.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = d.labels[i];
  });
  return { pixels, labels, n: idx.length };
}

/** Pixels / 255 standardized with one mean and deviation (the given ones, else their own), as the CLI's. */
export function standardize(px: Uint8Array, mean?: number, std?: number): { x: Float32Array; mean: number; std: number } {
  if (mean === undefined || std === undefined) {
    let s = 0;
    let s2 = 0;
    for (const v of px) {
      s += v;
      s2 += v * v;
    }
    const n = px.length;
    mean = s / n / 255;
    std = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)) / 255 || 1;
  }
  const m = mean;
  const sd = std;
  return { x: Float32Array.from(px, (v) => (v / 255 - m) / sd), mean: m, std: sd };
}
