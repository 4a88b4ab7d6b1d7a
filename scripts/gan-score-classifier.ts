/**
 * Builds the GAN score's fixed classifier, assets/models/fashion-lenet5.json (engine/session/gan-score.ts):
 * a LeNet-5 trained with `locus train` on Fashion-MNIST training images 200..2199 of each class (the
 * first 200 are left for GAN runs) plus an 11th class, "none", of 2,000 images that are not garments:
 * uniform noise, smoothed noise, real images with their pixels shuffled and blends of two garments of
 * different classes. Without it the classifier calls noise "Bag" with confidence > 0.9 about half the
 * time, and a score of confident samples would reward noise. The optimizer state is dropped (the file
 * is only used to classify), which keeps it at about 330 KB.
 * Run: npx tsx scripts/gan-score-classifier.ts [--work DIR] [--epochs 8]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Rng } from '../engine/core/rng.js';
import { DEBIAN_FASHION_MNIST, readIdxImages } from '../engine/data/idx.js';
import { main } from '../engine/cli/locus.js';
import { writeFashionFolder } from './fashion-folder.js';

const { values } = parseArgs({ options: { work: { type: 'string' }, epochs: { type: 'string' } } });
const work = values.work ?? join(tmpdir(), 'locus-gan-score-classifier');
const data = join(work, 'data');
const repo = join(import.meta.dirname, '..');

await writeFashionFolder(data, 'train', 2000, 200);
const d = await readIdxImages(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'), join(DEBIAN_FASHION_MNIST, 'train-labels-idx1-ubyte.gz'));
const rng = new Rng(7);
const none = join(data, 'none');
mkdirSync(none, { recursive: true });
const img = new Uint8Array(784);
const real = (): Uint8Array => {
  const i = rng.int(d.n);
  return d.pixels.subarray(i * 784, (i + 1) * 784);
};
for (let k = 0; k < 2000; k++) {
  const kind = k % 4;
  if (kind === 0) for (let p = 0; p < 784; p++) img[p] = rng.int(256);
  else if (kind === 1) {
    // Noise smoothed with a box of 1..3 pixels each side, stretched to the full range.
    const raw = Float32Array.from({ length: 784 }, () => rng.uniform(0, 1));
    const r = 1 + rng.int(3);
    const sm = new Float32Array(784);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        let s = 0;
        let c = 0;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) {
            s += raw[yy * 28 + xx];
            c++;
          }
        }
        sm[y * 28 + x] = s / c;
      }
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of sm) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let p = 0; p < 784; p++) img[p] = Math.round((255 * (sm[p] - lo)) / (hi - lo || 1));
  } else if (kind === 2) {
    const src = real();
    const order = Int32Array.from({ length: 784 }, (_, p) => p);
    rng.shuffle(order);
    for (let p = 0; p < 784; p++) img[p] = src[order[p]];
  } else {
    const i = rng.int(d.n);
    let j = rng.int(d.n);
    while (d.labels[j] === d.labels[i]) j = rng.int(d.n);
    for (let p = 0; p < 784; p++) img[p] = Math.round((d.pixels[i * 784 + p] + d.pixels[j * 784 + p]) / 2);
  }
  await sharp(Buffer.from(img), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(none, `none-${String(k).padStart(4, '0')}.png`));
}
const model = join(work, 'lenet5.json');
const rc = await main(['train', '--data', data, '--model', 'lenet5', '--epochs', values.epochs ?? '8', '--val', '0.05', '--no-workspace', '--out', model]);
if (rc !== 0) process.exit(rc);
const f = JSON.parse(readFileSync(model, 'utf8')) as { model: Record<string, unknown> };
delete f.model.optimizer;
const out = join(repo, 'assets', 'models', 'fashion-lenet5.json');
mkdirSync(join(repo, 'assets', 'models'), { recursive: true });
writeFileSync(out, JSON.stringify(f));
console.log(`wrote ${out} (${Math.round(readFileSync(out).length / 1024)} KB)`);
