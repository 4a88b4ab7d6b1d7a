/** Finite-difference checks of the sequence layers: input and every param, several steps, both output modes. */
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { sizeOf, tensor } from '../core/tensor.js';
import { assertGradients, checkLayerGradients } from '../testing/gradcheck.js';
import { randomArray } from '../testing/numeric.js';
import './index.js';
import { buildLayer, type LayerSpec } from './layer.js';

function check(spec: LayerSpec, inputShape: number[], batch: number): void {
  const rng = new Rng(7);
  const layer = buildLayer(spec, inputShape, rng);
  // biases away from their starting constants, so every bias gradient term is exercised
  for (const p of layer.params()) if (!p.decay) for (let i = 0; i < p.value.length; i++) p.value[i] += rng.uniform(-0.5, 0.5);
  const x = tensor([batch, ...inputShape], randomArray(rng, batch * sizeOf(inputShape)));
  assertGradients(checkLayerGradients(layer, x), `${JSON.stringify(spec)} on [${batch}, ${inputShape.join(', ')}]`);
}

for (const type of ['simpleRnn', 'lstm', 'gru']) {
  test(`${type}: last state and all steps, through time`, () => {
    check({ type, units: 3 }, [5, 2], 3);
    check({ type, units: 4, returnSequences: true }, [4, 3], 2);
    check({ type, units: 2, returnSequences: true, recurrentInit: 'glorot' }, [1, 3], 2);
    check({ type, units: 3, init: 'glorot' }, [7, 1], 1);
  });
}

test('lstm with a large forget bias (long memory) still checks', () => {
  check({ type: 'lstm', units: 3, forgetBias: 3 }, [8, 2], 2);
});

test('conv1d (time delay): valid, same, strided, dilated, mean over time', () => {
  check({ type: 'conv1d', units: 3, kernel: 3 }, [6, 2], 2);
  check({ type: 'conv1d', units: 2, kernel: 3, padding: 'same' }, [5, 3], 2);
  check({ type: 'conv1d', units: 2, kernel: 2, stride: 2, padding: 'same', useBias: false }, [7, 2], 2);
  check({ type: 'conv1d', units: 3, kernel: 3, dilation: 2 }, [8, 2], 2);
  check({ type: 'conv1d', units: 4, kernel: 4, returnSequences: false }, [9, 2], 3);
});

test('stacked: lstm over gru sequences over conv1d', () => {
  const rng = new Rng(3);
  const specs: LayerSpec[] = [
    { type: 'conv1d', units: 3, kernel: 2, padding: 'same' },
    { type: 'gru', units: 3, returnSequences: true },
    { type: 'lstm', units: 2 },
  ];
  let shape = [5, 2];
  for (const s of specs) {
    const l = buildLayer(s, shape, rng);
    const x = tensor([2, ...shape], randomArray(rng, 2 * sizeOf(shape)));
    assertGradients(checkLayerGradients(l, x), s.type);
    shape = [...l.outputShape];
  }
});
