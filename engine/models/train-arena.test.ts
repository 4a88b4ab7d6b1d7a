/**
 * Training steps with an arena (trainingArena: forward outputs, caches and backward gradients reused
 * from step to step, in the kernel memory where there is room) must train exactly as fresh arrays do:
 * the same weights bit for bit after several steps, with batch sizes that change (the last batch of an
 * epoch), on chains with batchNorm, dropout, residual and gate blocks, and on a GAN round that runs the
 * discriminator three times before its last backward pass. The arena's arrays must really be reused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { wasmActive } from '../kernels/backend.js';
import { residentOffset } from '../kernels/wasm/runtime.js';
import '../layers/index.js';
import { binaryCrossEntropyFromLogits, softmaxCrossEntropy } from '../losses/index.js';
import { createOptimizer } from '../optim/index.js';
import { Gan, sigmoid } from './gan.js';
import { dcganSpecs } from './gan-presets.js';
import { generatorBackward, GanStepper } from './gan-step.js';
import { presetSpec } from './presets.js';
import { sequenceSpec, type CellName } from './sequence.js';
import { Sequential, trainingArena } from './sequential.js';

const input = (n: number, c: number, side: number, seed: number): { x: Tensor; labels: Int32Array } => {
  const r = new Rng(seed);
  const x = tensor([n, c, side, side]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = r.normal();
  return { x, labels: new Int32Array(n).map(() => r.int(10)) };
};

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function sameBits(label: string, got: Float32Array[], want: Float32Array[]): void {
  assert.equal(got.length, want.length);
  got.forEach((a, i) => {
    const ua = bits(a);
    const ub = bits(want[i]);
    const at = ua.findIndex((v, j) => v !== ub[j]);
    assert.equal(at, -1, `${label}, param ${i}: value ${at} is ${a[at]}, fresh arrays gave ${want[i][at]}`);
  });
}

const cases: [string, number, number, object][] = [
  ['lenet5', 1, 28, { activation: 'tanh' }],
  ['mlp', 1, 28, { batchNorm: true, dropout: 0.3 }],
  ['resnet', 3, 16, { batchNorm: true }],
  ['highway', 1, 12, {}],
  ['vgg', 3, 16, { batchNorm: true, depth: 2 }],
];

for (const [preset, c, side, o] of cases) {
  test(`${preset}: training steps with an arena give the same weights bit for bit as fresh arrays`, () => {
    const run = (useArena: boolean) => {
      const model = new Sequential(presetSpec(preset, [c, side, side], 10, o), new Rng(5));
      const params = model.params();
      const opt = createOptimizer({ type: 'adam', lr: 1e-2 });
      const rng = new Rng(9);
      const arena = useArena ? trainingArena() : undefined;
      const held: number[] = [];
      for (const [n, seed] of [[6, 1], [6, 2], [5, 3], [6, 4], [6, 5]]) {
        arena?.reset();
        const { x, labels } = input(n, c, side, seed);
        const { y, caches } = model.forward(x, { training: true, rng, arena });
        const { grad } = softmaxCrossEntropy(y, labels);
        for (const p of params) p.grad.fill(0);
        model.backward(caches, grad, false, arena);
        opt.step(params);
        if (arena) held.push(arena.held);
      }
      return { weights: [...params.map((p) => new Float32Array(p.value)), ...model.buffers().map((b) => new Float32Array(b.value))], held, arena };
    };
    const fresh = run(false);
    const reused = run(true);
    sameBits(`${preset} after 5 steps`, reused.weights, fresh.weights);
    assert.ok(reused.held[0] > 0, 'the layers took arrays from the arena');
    assert.equal(reused.held[1], reused.held[0], 'the second step of the same size made no new arrays');
    assert.equal(reused.held[4], reused.held[3], 'after a smaller batch, same-size steps reuse the arrays again');
  });
}

for (const cell of ['lstm', 'gru', 'rnn', 'tdnn'] as CellName[]) {
  test(`${cell}, two layers: training steps with an arena give the same weights bit for bit as fresh arrays`, () => {
    const [T, F] = [7, 5];
    const run = (useArena: boolean) => {
      const model = new Sequential(sequenceSpec({ cell, steps: T, features: F, outputs: 10, units: 24, layers: 2, kernel: 3 }), new Rng(5));
      const params = model.params();
      const opt = createOptimizer({ type: 'adam', lr: 1e-2 });
      const rng = new Rng(9);
      const arena = useArena ? trainingArena() : undefined;
      for (const [n, seed] of [[6, 1], [6, 2], [5, 3], [6, 4]]) {
        arena?.reset();
        const r = new Rng(seed);
        const x = tensor([n, T, F]);
        for (let i = 0; i < x.data.length; i++) x.data[i] = r.normal();
        const { y, caches } = model.forward(x, { training: true, rng, arena });
        const { grad } = softmaxCrossEntropy(y, new Int32Array(n).map(() => r.int(10)));
        for (const p of params) p.grad.fill(0);
        model.backward(caches, grad, false, arena);
        opt.step(params);
      }
      return params.map((p) => new Float32Array(p.value));
    };
    sameBits(`${cell} after 4 steps`, run(true), run(false));
  });
}

test('the arena lives in the kernel memory when the WebAssembly kernels run: a conv layer writes its output there', () => {
  const h = wasmActive();
  if (!h) return; // TypeScript kernels: the arena's arrays are ordinary ones (checked above)
  const model = new Sequential(presetSpec('lenet5', [1, 28, 28], 10, {}), new Rng(1));
  const arena = trainingArena();
  const { x } = input(4, 1, 28, 1);
  const { y: first } = model.layers[0].forward(x, { training: true, rng: new Rng(0), arena });
  assert.ok(residentOffset(h, first.data) >= 0, 'the first convolution output (4 x 6 x 28 x 28) is resident');
  const want = model.layers[0].forward(x, { training: true, rng: new Rng(0) }).y.data;
  sameBits('conv2d output written in place', [first.data], [want]);
});

test('max pooling keeps its winner indices in the arena\'s kernel memory and reads them there going back', () => {
  const h = wasmActive();
  if (!h) return;
  const model = new Sequential(presetSpec('vgg', [3, 16, 16], 10, { depth: 1 }), new Rng(2));
  const pool = model.layers.findIndex((l) => l.type === 'maxPool2d');
  const { x } = input(4, 3, 16, 3);
  const before = model.layers.slice(0, pool).reduce((t, l) => l.forward(t, { training: true, rng: new Rng(0) }).y, x);
  const dy = tensor([4, 16, 8, 8]);
  const r = new Rng(5);
  for (let i = 0; i < dy.data.length; i++) dy.data[i] = r.normal();
  const run = (arena?: ReturnType<typeof trainingArena>) => {
    const { y, cache } = model.layers[pool].forward(before, { training: true, rng: new Rng(0), arena });
    const dx = model.layers[pool].backward(cache, dy, true, arena);
    return { y: y.data, dx: dx.data, argmax: (cache as { argmax: Int32Array }).argmax };
  };
  const arena = trainingArena();
  const mine = run(arena);
  assert.ok(residentOffset(h, mine.argmax) >= 0, 'the winner indices (4 x 16 x 8 x 8) are resident');
  const fresh = run();
  assert.equal(residentOffset(h, fresh.argmax), -1);
  assert.deepEqual(Array.from(mine.argmax), Array.from(fresh.argmax));
  sameBits('pooled output and input gradient', [mine.y, mine.dx], [fresh.y, fresh.dx]);
});

test('a DCGAN round with its arena gives the same weights bit for bit as the round on fresh arrays', () => {
  const make = () => new Gan(dcganSpecs({ channels: 1, size: 16, latent: 8, width: 8 }), new Rng(3));
  const adam = () => createOptimizer({ type: 'adam', lr: 2e-3, beta1: 0.5 });
  const real = new Float32Array(8 * 256);
  const r0 = new Rng(4);
  for (let i = 0; i < real.length; i++) real[i] = r0.uniform(-1, 1);
  const counts = [8, 8, 5, 8];

  const a = make();
  const stepper = new GanStepper(a, adam(), adam(), 8);
  const ra = new Rng(7);
  const reported: number[] = [];
  for (const n of counts) {
    const r = stepper.step((out) => (out.set(real.subarray(0, n * 256)), n), ra);
    assert.equal(r.problem, null);
    reported.push(r.dLoss, r.gLoss, r.dReal, r.dFake);
  }

  // The same round written out on fresh arrays (GanStepper.step without its arena).
  const b = make();
  const optD = adam();
  const optG = adam();
  const dParams = b.discriminator.params();
  const gParams = b.generator.params();
  const rb = new Rng(7);
  const z = new Float32Array(8 * b.latent);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + sigmoid(v), 0) / a.length;
  const expected: number[] = [];
  for (const n of counts) {
    const ctx = { training: true, rng: rb };
    for (const p of dParams) p.grad.fill(0);
    const dr = b.discriminator.forward(tensor([n, ...b.sampleShape], real.slice(0, n * 256)), ctx);
    const lossR = binaryCrossEntropyFromLogits(dr.y, new Float32Array(n).fill(1));
    b.discriminator.backward(dr.caches, lossR.grad, false);
    const pass = b.generator.forward(b.sampleLatent(n, rb, z), ctx);
    const df = b.discriminator.forward(pass.y, ctx);
    const lossF = binaryCrossEntropyFromLogits(df.y, new Float32Array(n));
    b.discriminator.backward(df.caches, lossF.grad, false);
    optD.step(dParams);
    for (const p of gParams) p.grad.fill(0);
    const g = generatorBackward(b, pass, true, rb);
    expected.push(lossR.loss + lossF.loss, g.loss, mean(dr.y.data), mean(df.y.data));
    optG.step(gParams);
  }
  const weights = (g: Gan) => [...g.generator.params(), ...g.discriminator.params(), ...g.generator.buffers(), ...g.discriminator.buffers()].map((p) => new Float32Array(p.value));
  sameBits('DCGAN after 4 rounds', weights(a), weights(b));
  assert.deepEqual(reported, expected, 'the losses and mean D outputs each round reports');
});
