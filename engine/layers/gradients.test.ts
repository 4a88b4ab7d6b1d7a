/** Finite-difference checks of every layer's input and parameter gradients. */
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor, sizeOf } from '../core/tensor.js';
import { assertGradients, checkLayerGradients, type LayerCheckOptions } from '../testing/gradcheck.js';
import { distinctArray, randomArray } from '../testing/numeric.js';
import './index.js';
import { buildLayer, type LayerSpec } from './layer.js';

type Fill = 'uniform' | 'distinct' | 'awayFromZero';

function check(spec: LayerSpec, inputShape: number[], batch: number, fill: Fill = 'uniform', opts: LayerCheckOptions = {}): void {
  const rng = new Rng(42);
  const layer = buildLayer(spec, inputShape, rng);
  const n = batch * sizeOf(inputShape);
  let data: Float32Array;
  if (fill === 'distinct') data = distinctArray(rng, n, -1, 1);
  else if (fill === 'awayFromZero') data = randomArray(rng, n).map((v) => Math.sign(v || 1) * (0.1 + Math.abs(v)));
  else data = randomArray(rng, n);
  const x = tensor([batch, ...inputShape], data);
  assertGradients(checkLayerGradients(layer, x, opts), `${JSON.stringify(spec)} on [${batch}, ${inputShape.join(', ')}]`);
}

test('dense', () => {
  check({ type: 'dense', units: 4 }, [5], 3);
  check({ type: 'dense', units: 3, useBias: false, init: 'glorotUniform' }, [7], 2);
});

test('conv2d: same, strided, valid, dilated, no bias', () => {
  check({ type: 'conv2d', filters: 3, kernel: 3 }, [2, 5, 6], 2);
  check({ type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 'same' }, [2, 6, 7], 2);
  check({ type: 'conv2d', filters: 2, kernel: 2, stride: 2, padding: 'valid' }, [3, 5, 5], 2);
  check({ type: 'conv2d', filters: 2, kernel: 3, dilation: 2, padding: 'same', useBias: false }, [1, 6, 6], 2);
  check({ type: 'conv2d', filters: 2, kernel: 4, stride: 3, padding: 'same' }, [2, 7, 8], 1);
});

test('convTranspose2d: same, valid, outputPadding', () => {
  check({ type: 'convTranspose2d', filters: 2, kernel: 3, stride: 2 }, [3, 3, 4], 2);
  check({ type: 'convTranspose2d', filters: 3, kernel: 2, stride: 1, padding: 'valid' }, [2, 3, 3], 2);
  check({ type: 'convTranspose2d', filters: 2, kernel: 3, stride: 2, outputPadding: 1, useBias: false }, [2, 3, 3], 1);
  check({ type: 'convTranspose2d', filters: 2, kernel: 4, stride: 2, padding: 'same' }, [1, 3, 2], 2);
});

test('maxPool2d and avgPool2d, strided and padded', () => {
  check({ type: 'maxPool2d', size: 2, stride: 2 }, [2, 5, 5], 2, 'distinct');
  check({ type: 'maxPool2d', size: 3, stride: 2, padding: 'same' }, [2, 6, 5], 2, 'distinct');
  check({ type: 'maxPool2d', size: 2, stride: 1 }, [1, 4, 4], 2, 'distinct');
  check({ type: 'avgPool2d', size: 2, stride: 2 }, [2, 5, 5], 2);
  check({ type: 'avgPool2d', size: 3, stride: 2, padding: 'same' }, [2, 6, 5], 2);
});

test('flatten and reshape', () => {
  check({ type: 'flatten' }, [2, 3, 2], 2);
  check({ type: 'reshape', shape: [3, -1] }, [12], 2);
});

test('batchNorm: features and channels, training and inference', () => {
  check({ type: 'batchNorm' }, [4], 5);
  check({ type: 'batchNorm', momentum: 0.5 }, [3, 3, 4], 3);
  check({ type: 'batchNorm' }, [3, 2, 2], 2, 'uniform', { training: false });
});

test('dropout (fixed mask) and the activations', () => {
  check({ type: 'dropout', rate: 0.3 }, [10], 3);
  check({ type: 'dropout', rate: 0.3 }, [10], 2, 'uniform', { training: false });
  check({ type: 'relu' }, [2, 3, 3], 2, 'awayFromZero');
  check({ type: 'leakyRelu', alpha: 0.2 }, [8], 3, 'awayFromZero');
  check({ type: 'sigmoid' }, [8], 3);
  check({ type: 'tanh' }, [8], 3);
  check({ type: 'softmax' }, [6], 3);
  check({ type: 'softmax' }, [2, 2, 3], 2);
});

test('residual with a dense body and identity shortcut', () => {
  check({ type: 'residual', body: [{ type: 'dense', units: 6 }, { type: 'relu' }, { type: 'dense', units: 6 }] }, [6], 3);
});

test('residual with a strided conv body, batchNorm and a projection shortcut', () => {
  check(
    {
      type: 'residual',
      body: [
        { type: 'conv2d', filters: 3, kernel: 3, stride: 2 },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'conv2d', filters: 3, kernel: 3 },
      ],
      shortcut: [{ type: 'conv2d', filters: 3, kernel: 1, stride: 2 }],
    },
    [2, 6, 5],
    2,
  );
});

test('gate with dense paths (identity carry) and with conv paths', () => {
  check({ type: 'gate', a: [{ type: 'dense', units: 5 }, { type: 'tanh' }], gateBias: 0 }, [5], 3);
  check(
    {
      type: 'gate',
      a: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2 }, { type: 'tanh' }],
      b: [{ type: 'conv2d', filters: 3, kernel: 1, stride: 2 }],
      gate: [{ type: 'conv2d', filters: 2, kernel: 3, stride: 2 }, { type: 'tanh' }],
      gateBias: -1,
    },
    [2, 5, 5],
    2,
  );
  check({ type: 'gate', a: [{ type: 'conv2d', filters: 2, kernel: 3 }], gate: [{ type: 'flatten' }, { type: 'dense', units: 4 }] }, [2, 3, 3], 2);
});
