import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { loadImageFolder } from './folder.js';
import { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, readIdxImages } from './idx.js';
import { findSampleDir, SAMPLE_PER_CLASS } from './sample.js';
import { tempDir } from './testkit.js';

const images = join(DEBIAN_FASHION_MNIST, 't10k-images-idx3-ubyte.gz');
const labels = join(DEBIAN_FASHION_MNIST, 't10k-labels-idx1-ubyte.gz');
const haveDebian = existsSync(images) && existsSync(labels);
const SKIP_DEBIAN = haveDebian ? false : `Debian's Fashion-MNIST files are not installed (${DEBIAN_FASHION_MNIST}; apt install dataset-fashion-mnist)`;

describe('Fashion-MNIST round trip', () => {
  it('300 test images written as PNGs in class folders load back pixel-exact with their labels', { skip: SKIP_DEBIAN }, async () => {
    const d = await readIdxImages(images, labels);
    const { dir, cleanup } = await tempDir();
    try {
      const N = 300;
      const per = 28 * 28;
      for (let i = 0; i < N; i++) {
        const folder = join(dir, FASHION_MNIST_CLASSES[d.labels[i]]);
        await mkdir(folder, { recursive: true });
        const png = await sharp(d.pixels.subarray(i * per, (i + 1) * per), { raw: { width: 28, height: 28, channels: 1 } })
          .toColourspace('b-w')
          .png()
          .toBuffer();
        await writeFile(join(folder, `${String(i).padStart(4, '0')}.png`), png);
      }
      const r = await loadImageFolder(dir, { cacheDir: null });
      assert.equal(r.set.n, N);
      assert.deepEqual(r.skipped, []);
      assert.deepEqual(r.set.classes, [...FASHION_MNIST_CLASSES].sort());
      for (let k = 0; k < N; k++) {
        const path = r.set.paths[k];
        const i = Number(path.slice(-8, -4));
        assert.equal(r.set.classes[r.set.labels[k]], FASHION_MNIST_CLASSES[d.labels[i]], `label of ${path}`);
        assert.deepEqual(r.set.pixels.subarray(k * per, (k + 1) * per), d.pixels.subarray(i * per, (i + 1) * per), `pixels of ${path}`);
      }
    } finally {
      await cleanup();
    }
  });
});

describe('the bundled sample', () => {
  it('has 10 classes x 60 Fashion-MNIST images that load cleanly', async () => {
    const dir = findSampleDir();
    assert.ok(dir, 'assets/sample/fashion-mnist exists (run npx tsx scripts/build-sample.ts)');
    const r = await loadImageFolder(dir, { cacheDir: null });
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(r.set.classes, [...FASHION_MNIST_CLASSES].sort());
    assert.deepEqual(r.counts, new Array(10).fill(SAMPLE_PER_CLASS));
    assert.equal(r.unlabeled, 0);
  });

  it('is the first 60 training images of each class, pixel-exact', { skip: haveDebian ? false : SKIP_DEBIAN }, async () => {
    const d = await readIdxImages(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'), join(DEBIAN_FASHION_MNIST, 'train-labels-idx1-ubyte.gz'));
    const r = await loadImageFolder(findSampleDir()!, { cacheDir: null });
    const per = 784;
    const taken = new Array<number>(10).fill(0);
    for (let i = 0; i < d.n && taken.some((t) => t < SAMPLE_PER_CLASS); i++) {
      const c = d.labels[i];
      if (taken[c] >= SAMPLE_PER_CLASS) continue;
      const rel = join(FASHION_MNIST_CLASSES[c], `${String(taken[c]++).padStart(3, '0')}.png`);
      const k = r.set.paths.findIndex((p) => p.endsWith(rel));
      assert.ok(k >= 0, `${rel} is in the sample`);
      assert.deepEqual(r.set.pixels.subarray(k * per, (k + 1) * per), d.pixels.subarray(i * per, (i + 1) * per), rel);
    }
  });
});
