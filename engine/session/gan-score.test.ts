/**
 * The GAN score's classifier and scorer: real held-out Fashion-MNIST images score high and spread over
 * the classes, noise and blank images score near 0, one class repeated shows a spread of 1, and an
 * untrained generator scores low. Real images come from Debian's dataset-fashion-mnist test split
 * (skipped, saying why, where it is not installed); the classifier never saw them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { DEBIAN_FASHION_MNIST, readIdxImages } from '../data/idx.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { findScoreClassifier, loadScoreClassifier, scoreFits, scoreGenerator, scoreImages, scorePixels } from './gan-score.js';

const haveFashion = existsSync(join(DEBIAN_FASHION_MNIST, 't10k-images-idx3-ubyte.gz'));

test('GAN score: the shipped classifier is found and fits 28x28 grey images only', async () => {
  const path = findScoreClassifier();
  assert.ok(path, 'assets/models/fashion-lenet5.json is found from the source tree');
  const clf = await loadScoreClassifier();
  assert.equal(clf.classes.length, 11, '10 garments and "none"');
  assert.ok(clf.classes.includes('none'));
  assert.ok(scoreFits(clf, [1, 28, 28]));
  assert.ok(!scoreFits(clf, [3, 28, 28]) && !scoreFits(clf, [1, 32, 32]));
});

test('GAN score: noise and blank images score near 0, an untrained generator low', async () => {
  const clf = await loadScoreClassifier();
  const n = 400;
  const noise = new Uint8Array(n * 784);
  const rng = new Rng(3);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256);
  const s = scorePixels(clf, noise, n);
  assert.equal(s.n, n);
  assert.ok(s.confident < 0.05, `uniform noise: ${s.confident}`);
  const blank = scorePixels(clf, new Uint8Array(n * 784), n);
  // Blank images are all alike: whatever the classifier says, it says it for one class.
  assert.ok(blank.confident === 0 || blank.spread === 1, `blank: ${JSON.stringify(blank)}`);
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 64, width: 16 }), new Rng(1));
  const g = scoreGenerator(clf, gan, { kind: 'symmetric' }, 200);
  assert.equal(g.n, 200);
  assert.ok(g.confident < 0.1, `untrained generator: ${g.confident}`);
  assert.deepEqual(scoreGenerator(clf, gan, { kind: 'symmetric' }, 200), g, 'fixed codes: the same generator scores the same');
});

test('GAN score: real held-out Fashion-MNIST images score high and cover the classes; one class repeated has spread 1', { skip: haveFashion ? false : `Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})` }, async () => {
  const clf = await loadScoreClassifier();
  const d = await readIdxImages(join(DEBIAN_FASHION_MNIST, 't10k-images-idx3-ubyte.gz'), join(DEBIAN_FASHION_MNIST, 't10k-labels-idx1-ubyte.gz'));
  const n = 1000;
  const set = { n, channels: 1, height: 28, width: 28, pixels: d.pixels.subarray(0, n * 784), labels: new Int32Array(n), classes: [], paths: [] };
  const real = scoreImages(clf, set, n);
  assert.ok(real.confident > 0.6, `real images: ${real.confident}`);
  assert.ok(real.spread > 8, `real images spread over the 10 classes: ${real.spread}`);
  assert.equal(real.perClass.reduce((a, b) => a + b, 0), Math.round(real.confident * n));
  // One confidently classified image, repeated: a collapsed generator.
  const one = scorePixels(clf, d.pixels.subarray(0, n * 784), n);
  let pick = -1;
  for (let i = 0; i < n && pick < 0; i++) if (scorePixels(clf, d.pixels.subarray(i * 784, (i + 1) * 784), 1).confident === 1) pick = i;
  assert.ok(pick >= 0 && one.confident > 0.6);
  const same = new Uint8Array(100 * 784);
  for (let i = 0; i < 100; i++) same.set(d.pixels.subarray(pick * 784, (pick + 1) * 784), i * 784);
  const collapsed = scorePixels(clf, same, 100);
  assert.equal(collapsed.confident, 1);
  assert.equal(collapsed.spread, 1);
  assert.equal(collapsed.perClass.filter((c) => c > 0).length, 1);
});
