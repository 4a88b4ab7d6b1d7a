/**
 * The mixture of experts of `locus train --model moe` (softmax experts, Adam, its defaults) against
 * scikit-learn's LogisticRegression on the same standardized Fashion-MNIST pixels, both judged on test
 * images neither saw. A mixture of softmax experts contains logistic regression (one expert, or all
 * equal), so with a working recipe it must do at least as well. Skipped, with the reason, where
 * python3 with scikit-learn or Debian's dataset-fashion-mnist is missing.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { DEBIAN_FASHION_MNIST } from '../data/idx.js';
import { AdamSteps } from './adam.js';
import { MixtureOfExperts, MOE_CLASSIFIER } from './moe.js';
import { oneHot } from './rbf.js';
import { fashionSubset, sklearnSkip, runPython, standardize, writeF32 } from './sklearn-testkit.js';

const skip = sklearnSkip() || (existsSync(`${DEBIAN_FASHION_MNIST}/train-images-idx3-ubyte.gz`) ? false : `Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})`);
if (skip) console.log(`# skipping the logistic-regression comparison: ${skip}`);

test('mixture of softmax experts (cooperative and competitive, CLI defaults) >= scikit-learn logistic regression on held-out Fashion-MNIST', { skip, timeout: 60_000 }, async () => {
  const train = await fashionSubset('train', 200);
  const held = await fashionSubset('test', 100);
  const { x, mean, std } = standardize(train.pixels);
  const xt = standardize(held.pixels, mean, std).x;
  const py = runPython(
    `
import sys, json, numpy as np
from sklearn.linear_model import LogisticRegression
d = sys.argv[1]
x = np.fromfile(d + '/x.f32', '<f4').reshape(-1, 784); y = np.fromfile(d + '/y.f32', '<f4').astype(int)
xt = np.fromfile(d + '/xt.f32', '<f4').reshape(-1, 784); yt = np.fromfile(d + '/yt.f32', '<f4').astype(int)
m = LogisticRegression(max_iter=2000).fit(x, y)
print(json.dumps({'acc': float(m.score(xt, yt))}))
`,
    (dir) => {
      writeF32(dir, 'x.f32', x);
      writeF32(dir, 'y.f32', Float32Array.from(train.labels));
      writeF32(dir, 'xt.f32', xt);
      writeF32(dir, 'yt.f32', Float32Array.from(held.labels));
    },
  );
  const reference = py.acc as number;
  const t = oneHot(train.labels, 10);
  for (const mode of ['cooperative', 'competitive'] as const) {
    const moe = MixtureOfExperts.classifier({ dim: 784, classes: 10, mode, seed: 1 });
    const stepper = new AdamSteps({ lr: MOE_CLASSIFIER.lr });
    moe.train(x, t, train.n, { epochs: MOE_CLASSIFIER.epochs, rate: MOE_CLASSIFIER.lr, batch: MOE_CLASSIFIER.batch, stepper });
    const y = new Float64Array(10);
    let ok = 0;
    for (let i = 0; i < held.n; i++) {
      moe.predict(xt, i * 784, y);
      let b = 0;
      for (let o = 1; o < 10; o++) if (y[o] > y[b]) b = o;
      if (b === held.labels[i]) ok++;
    }
    const acc = ok / held.n;
    console.log(`# ${mode}: mixture of experts ${(100 * acc).toFixed(2)}%, logistic regression ${(100 * reference).toFixed(2)}% (${train.n} training, ${held.n} held-out images)`);
    assert.ok(acc >= reference, `${mode}: ${acc} < logistic regression ${reference}`);
  }
});
