/**
 * Builds the bundled sample: assets/sample/fashion-mnist/<class>/<nnn>.png, 10 classes x 60 images,
 * from Debian's dataset-fashion-mnist IDX files. Deterministic: the first 60 training images of each
 * class, in file order, written as 8-bit grayscale PNGs without metadata.
 * Run: npx tsx scripts/build-sample.ts [--source DIR]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, readIdxImages } from '../engine/data/idx.js';
import { SAMPLE_PER_CLASS, SAMPLE_SUBPATH } from '../engine/data/sample.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argi = process.argv.indexOf('--source');
const source = argi > 0 ? process.argv[argi + 1] : DEBIAN_FASHION_MNIST;
const out = join(repo, SAMPLE_SUBPATH);

const LICENCE = `# Sample images: Fashion-MNIST

\`fashion-mnist/\` holds 600 images (60 per class, the first 60 of each class in the training set, in
file order) from **Fashion-MNIST** by Zalando Research, https://github.com/zalandoresearch/fashion-mnist
(Han Xiao, Kashif Rasul, Roland Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking
Machine Learning Algorithms", arXiv:1708.07747, 2017). They were converted from the IDX files of
Debian's \`dataset-fashion-mnist\` package to 28x28 grayscale PNGs by \`scripts/build-sample.ts\`.
Folder names are the official class names made safe for file systems ("T-shirt/top" is \`T-shirt_top\`).

Fashion-MNIST is distributed under the MIT License:

The MIT License (MIT)

Copyright © 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;

async function main(): Promise<void> {
  const d = await readIdxImages(join(source, 'train-images-idx3-ubyte.gz'), join(source, 'train-labels-idx1-ubyte.gz'));
  if (d.height !== 28 || d.width !== 28) throw new Error(`expected 28x28 images, got ${d.height}x${d.width}`);
  const per = d.height * d.width;
  const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  rmSync(out, { recursive: true, force: true });
  for (const c of FASHION_MNIST_CLASSES) mkdirSync(join(out, c), { recursive: true });
  let written = 0;
  for (let i = 0; i < d.n && written < SAMPLE_PER_CLASS * FASHION_MNIST_CLASSES.length; i++) {
    const label = d.labels[i];
    if (label >= FASHION_MNIST_CLASSES.length) throw new Error(`image ${i}: label ${label} out of range`);
    if (taken[label] >= SAMPLE_PER_CLASS) continue;
    const name = `${String(taken[label]).padStart(3, '0')}.png`;
    const png = await sharp(d.pixels.subarray(i * per, (i + 1) * per), { raw: { width: d.width, height: d.height, channels: 1 } })
      .toColourspace('b-w')
      .png({ compressionLevel: 9, adaptiveFiltering: true })
      .toBuffer();
    writeFileSync(join(out, FASHION_MNIST_CLASSES[label], name), png);
    taken[label]++;
    written++;
  }
  if (taken.some((t) => t < SAMPLE_PER_CLASS)) throw new Error(`not enough images per class: ${taken.join(', ')}`);
  writeFileSync(join(repo, 'assets', 'sample', 'ATTRIBUTION.md'), LICENCE);
  console.log(`wrote ${written} images to ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
