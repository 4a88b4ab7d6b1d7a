/**
 * Fully supervised RBF training as `locus train --model rbf --supervised` runs it (calibrate, then Adam
 * on centres, spreads and weights) must not undo the hybrid start it fine-tunes: on held-out
 * Fashion-MNIST images it ends at least as accurate, on every seed. Skipped where Debian's
 * dataset-fashion-mnist is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { DEBIAN_FASHION_MNIST } from '../data/idx.js';
import { AdamSteps } from './adam.js';
import { oneHot, RbfNetwork } from './rbf.js';
import { calibrate, trainCentres, trainSpreads, trainSupervised, trainWeights } from './rbf-train.js';
import { fashionSubset } from './sklearn-testkit.js';

const skip = existsSync(`${DEBIAN_FASHION_MNIST}/train-images-idx3-ubyte.gz`) ? false : `Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})`;

test('RBF: supervised fine-tuning (calibrated, Adam) ends at least as accurate as its hybrid start on held-out Fashion-MNIST, every seed', { skip, timeout: 60_000 }, async () => {
  const train = await fashionSubset('train', 120);
  const held = await fashionSubset('test', 60);
  const x = Float32Array.from(train.pixels, (v) => v / 255);
  const xt = Float32Array.from(held.pixels, (v) => v / 255);
  const t = oneHot(train.labels, 10);
  const accuracy = (net: RbfNetwork) => {
    let ok = 0;
    for (let i = 0; i < held.n; i++) if (net.predictClass(xt, i * 784) === held.labels[i]) ok++;
    return ok / held.n;
  };
  for (const seed of [1, 2, 3]) {
    const net = new RbfNetwork({ dim: 784, outputs: 10, task: 'classification', seed });
    trainCentres(net, x, train.n, { k: 40, iterations: 10 });
    trainSpreads(net, x, train.n, 'rms');
    trainWeights(net, x, t, train.n, { method: 'least-squares', ridge: 1e-6 });
    const hybrid = accuracy(net);
    const before = net.loss(x, t, train.n);
    calibrate(net, x, t, train.n);
    assert.equal(accuracy(net), hybrid, 'scaling the output weights keeps every argmax');
    assert.ok(net.loss(x, t, train.n) < before, 'and lowers the cross-entropy');
    const stepper = new AdamSteps({ lr: 0.001 });
    trainSupervised(net, x, t, train.n, { epochs: 5, rate: 0.001, batch: 32, stepper });
    const supervised = accuracy(net);
    console.log(`# seed ${seed}: hybrid ${(100 * hybrid).toFixed(2)}%, supervised ${(100 * supervised).toFixed(2)}% (${train.n} training, ${held.n} held-out images)`);
    assert.ok(supervised >= hybrid, `seed ${seed}: supervised ${supervised} < hybrid ${hybrid}`);
  }
});
