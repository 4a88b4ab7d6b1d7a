/**
 * Writes a folder of real Fashion-MNIST images (PNG, one subfolder per class) from Debian's
 * dataset-fashion-mnist IDX files, for trying Locus on real data and for integration tests.
 * Run: npx tsx scripts/fashion-folder.ts --out DIR [--split train|test] [--per-class N] [--skip K]
 *   --skip K leaves out the first K images of each class (to make disjoint folders from one split).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, readIdxImages } from '../engine/data/idx.js';

export async function writeFashionFolder(out: string, split: 'train' | 'test', perClass: number, skip = 0): Promise<number[]> {
  const pre = split === 'test' ? 't10k' : 'train';
  const d = await readIdxImages(
    join(DEBIAN_FASHION_MNIST, `${pre}-images-idx3-ubyte.gz`),
    join(DEBIAN_FASHION_MNIST, `${pre}-labels-idx1-ubyte.gz`),
  );
  const per = d.height * d.width;
  const seen = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  const written = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  for (const c of FASHION_MNIST_CLASSES) mkdirSync(join(out, c), { recursive: true });
  for (let i = 0; i < d.n; i++) {
    const l = d.labels[i];
    if (seen[l]++ < skip || written[l] >= perClass) continue;
    const raw = Buffer.from(d.pixels.subarray(i * per, (i + 1) * per));
    await sharp(raw, { raw: { width: d.width, height: d.height, channels: 1 } })
      .png()
      .toFile(join(out, FASHION_MNIST_CLASSES[l], `${split}-${String(i).padStart(5, '0')}.png`));
    written[l]++;
  }
  return written;
}

if (process.argv[1] && /fashion-folder\.ts$/.test(process.argv[1])) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, split: { type: 'string' }, 'per-class': { type: 'string' }, skip: { type: 'string' } },
  });
  if (!values.out) {
    console.error('usage: npx tsx scripts/fashion-folder.ts --out DIR [--split train|test] [--per-class N] [--skip K]');
    process.exit(2);
  }
  const counts = await writeFashionFolder(values.out, values.split === 'test' ? 'test' : 'train', Number(values['per-class'] ?? 100), Number(values.skip ?? 0));
  console.log(`wrote ${counts.reduce((a, b) => a + b, 0)} images to ${values.out}`);
}
