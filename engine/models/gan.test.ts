import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import { binaryCrossEntropyFromLogits } from '../losses/index.js';
import { createOptimizer } from '../optim/index.js';
import { assertGradients, checkGradient } from '../testing/gradcheck.js';
import { Gan } from './gan.js';
import { dcganLevels, dcganSpecs, mlp2dSpecs, type GanSpecs } from './gan-presets.js';
import { generatorBackward, GanStepper } from './gan-step.js';

/**
 * A tiny DCGAN-shaped pair: dense -> reshape -> batchNorm -> act -> convTranspose -> tanh; conv s2 ->
 * (batchNorm) -> act -> dense. The hidden activation is tanh rather than relu / leakyRelu so finite
 * differences meet no kinks (batchNorm centres its outputs on 0, right at a ReLU's kink); the kinked
 * activations have their own gradient checks in engine/layers.
 */
function tinySpecs(dBatchNorm = false): GanSpecs {
  return {
    generator: {
      input: [3],
      layers: [
        { type: 'dense', units: 8, useBias: false, init: 'glorot' },
        { type: 'reshape', shape: [2, 2, 2] },
        { type: 'batchNorm' },
        { type: 'tanh' },
        { type: 'convTranspose2d', filters: 1, kernel: 4, stride: 2, init: 'glorot' },
        { type: 'tanh' },
      ],
    },
    discriminator: {
      input: [1, 4, 4],
      layers: [
        { type: 'conv2d', filters: 3, kernel: 3, stride: 2, init: 'he' },
        ...(dBatchNorm ? [{ type: 'batchNorm' }] : []),
        { type: 'tanh' },
        { type: 'flatten' },
        { type: 'dense', units: 1, init: 'glorot' },
      ],
    },
  };
}

/** The generator objective, recomputed from scratch (what finite differences perturb). */
function gLossOf(gan: Gan, z: ReturnType<Gan['sampleLatent']>, nonSaturating: boolean): number {
  const ctx = { training: true, rng: new Rng(0) };
  const logits = gan.discriminator.forward(gan.generator.forward(z, ctx).y, ctx).y;
  const n = logits.data.length;
  const bce = binaryCrossEntropyFromLogits(logits, new Float32Array(n).fill(nonSaturating ? 1 : 0)).loss;
  return nonSaturating ? bce : -bce;
}

for (const nonSaturating of [true, false]) {
  test(`generator update path: d loss / d G params matches finite differences (${nonSaturating ? 'non-saturating' : 'saturating'})`, () => {
    const gan = new Gan(tinySpecs(true), new Rng(3));
    const z = gan.sampleLatent(5, new Rng(4));
    const params = gan.generator.params();
    for (const p of params) p.grad.fill(0);
    const pass = gan.generator.forward(z, { training: true, rng: new Rng(0) });
    const { loss } = generatorBackward(gan, pass, nonSaturating, new Rng(0));
    assert.ok(Math.abs(loss - gLossOf(gan, z, nonSaturating)) < 1e-6, 'reported loss is the objective');
    const results = params.map((p) => checkGradient(`G ${p.name}`, p.value, new Float32Array(p.grad), () => gLossOf(gan, z, nonSaturating)));
    assertGradients(results, 'generator path');
    assert.ok(params.some((p) => p.grad.some((g) => Math.abs(g) > 1e-4)), 'the gradient is not all zero');
  });
}

test("the G update skips D's parameter gradients and gives G the same gradients bit for bit", () => {
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 8, width: 4 }), new Rng(6));
  const gParams = gan.generator.params();
  const dParams = gan.discriminator.params();
  const run = (dGrads: boolean) => {
    for (const p of [...gParams, ...dParams]) p.grad.fill(0);
    const rng = new Rng(2);
    const pass = gan.generator.forward(gan.sampleLatent(16, rng), { training: true, rng });
    if (dGrads) {
      // What generatorBackward did before: D's backward with its parameter gradients.
      const { y: logits, caches } = gan.discriminator.forward(pass.y, { training: true, rng });
      const { grad } = binaryCrossEntropyFromLogits(logits, new Float32Array(logits.data.length).fill(1));
      gan.generator.backward(pass.caches, gan.discriminator.backward(caches, grad, true), false);
    } else {
      generatorBackward(gan, pass, true, rng);
    }
    return { g: gParams.map((p) => Array.from(new Uint32Array(new Float32Array(p.grad).buffer))), d: dParams.map((p) => Array.from(p.grad)) };
  };
  const skipped = run(false);
  const full = run(true);
  assert.deepEqual(skipped.g, full.g, "G's gradients");
  assert.ok(skipped.d.every((g) => g.every((v) => v === 0)), "D's gradients were not computed");
  assert.ok(full.d.some((g) => g.some((v) => v !== 0)), "with them, D's gradients fill up (the test can fail)");
});

test('a G update leaves D unchanged: its batchNorm running statistics are restored', () => {
  const gan = new Gan(tinySpecs(true), new Rng(3));
  const before = gan.discriminator.buffers().map((b) => Array.from(b.value));
  const pass = gan.generator.forward(gan.sampleLatent(4, new Rng(1)), { training: true, rng: new Rng(0) });
  generatorBackward(gan, pass, true, new Rng(0));
  assert.deepEqual(gan.discriminator.buffers().map((b) => Array.from(b.value)), before);
  // The same forward pass without the restore would have moved them (the test can fail).
  gan.discriminator.forward(pass.y, { training: true, rng: new Rng(0) });
  assert.notDeepEqual(gan.discriminator.buffers().map((b) => Array.from(b.value)), before);
});

test('one round with SGD: D moves by -lr x the gradient of BCE(D(x),1) + BCE(D(G(z)),0), then G by -lr x its gradient through the updated D', () => {
  const lr = 0.05;
  const stepped = new Gan(tinySpecs(), new Rng(7));
  const ref = new Gan(tinySpecs(), new Rng(7));
  const B = 4;
  const stepper = new GanStepper(stepped, createOptimizer({ type: 'sgd', lr }), createOptimizer({ type: 'sgd', lr }), B, { nonSaturating: true });
  const real = new Float32Array(B * 16);
  const dataRng = new Rng(11);
  for (let i = 0; i < real.length; i++) real[i] = dataRng.uniform(-0.9, 0.9);
  const rng = new Rng(5);
  const state = rng.getState();
  const r = stepper.step((out) => (out.set(real), B), rng);
  assert.equal(r.problem, null);
  const z = stepped.sampleLatent(B, Rng.fromState(state)); // the step's first draws are its latent codes
  const ctx = { training: true, rng: new Rng(0) };
  const dLoss = () => {
    const lr1 = ref.discriminator.forward(tensor([B, 1, 4, 4], real), ctx).y;
    const lf = ref.discriminator.forward(ref.generator.forward(z, ctx).y, ctx).y;
    return binaryCrossEntropyFromLogits(lr1, new Float32Array(B).fill(1)).loss + binaryCrossEntropyFromLogits(lf, new Float32Array(B)).loss;
  };
  assert.ok(Math.abs(dLoss() - r.dLoss) < 1e-5, `reported D loss ${r.dLoss} vs ${dLoss()}`);
  const dRef = ref.discriminator.params();
  const dNew = stepped.discriminator.params();
  const dResults = dRef.map((p, i) => {
    const implied = p.value.map((v, j) => (v - dNew[i].value[j]) / lr);
    return checkGradient(`D ${p.name}`, p.value, implied, dLoss);
  });
  assertGradients(dResults, 'D update');
  // G's gradient is taken through the updated D: copy D's new weights into the reference.
  dRef.forEach((p, i) => p.value.set(dNew[i].value));
  const gRef = ref.generator.params();
  const gNew = stepped.generator.params();
  const gResults = gRef.map((p, i) => {
    const implied = p.value.map((v, j) => (v - gNew[i].value[j]) / lr);
    return checkGradient(`G ${p.name}`, p.value, implied, () => gLossOf(ref, z, true));
  });
  assertGradients(gResults, 'G update');
});

test('k discriminator steps per generator step draw k real batches; the step reports D(x) and D(G(z))', () => {
  const gan = new Gan(tinySpecs(), new Rng(1));
  const opt = () => createOptimizer({ type: 'adam', lr: 2e-4, beta1: 0.5 });
  const stepper = new GanStepper(gan, opt(), opt(), 3, { dSteps: 3 });
  let calls = 0;
  const r = stepper.step((out) => {
    calls++;
    out.fill(0.5, 0, 2 * 16);
    return 2;
  }, new Rng(2));
  assert.equal(calls, 3);
  assert.ok(r.dReal > 0 && r.dReal < 1 && r.dFake > 0 && r.dFake < 1);
  assert.ok(Number.isFinite(r.gLoss) && Number.isFinite(r.dLoss));
  assert.throws(() => new GanStepper(gan, opt(), opt(), 3, { dSteps: 0 }), /dSteps/);
});

test('a NaN in the data stops the step before any update, with the reason', () => {
  const gan = new Gan(tinySpecs(), new Rng(1));
  const before = gan.discriminator.params().map((p) => Array.from(p.value));
  const stepper = new GanStepper(gan, createOptimizer({ type: 'sgd', lr: 0.1 }), createOptimizer({ type: 'sgd', lr: 0.1 }), 2);
  const r = stepper.step((out) => (out.fill(Number.NaN), 2), new Rng(2));
  assert.match(r.problem ?? '', /discriminator's loss is NaN/);
  assert.deepEqual(gan.discriminator.params().map((p) => Array.from(p.value)), before);
});

test('dcgan presets: 28x28 gray and 32x32 RGB shapes, one logit; sizes that do not halve are refused', () => {
  assert.deepEqual(dcganLevels(28), { levels: 2, base: 7 });
  assert.deepEqual(dcganLevels(32), { levels: 3, base: 4 });
  for (const [c, s] of [
    [1, 28],
    [3, 32],
  ]) {
    const gan = new Gan(dcganSpecs({ channels: c, size: s, latent: 16, width: 4 }), new Rng(1));
    assert.deepEqual(gan.sampleShape, [c, s, s]);
    const y = gan.generate(gan.sampleLatent(2, new Rng(2)), new Rng(0));
    assert.ok(y.data.every((v) => v >= -1 && v <= 1), 'tanh output in [-1, 1]');
    assert.equal(gan.judge(y, new Rng(0)).length, 2);
    assert.ok(!gan.discriminator.layers.some((l) => l.type === 'maxPool2d' || l.type === 'avgPool2d' || l.type === 'batchNorm'));
  }
  assert.throws(() => dcganLevels(30), /halve/);
  assert.throws(() => dcganLevels(7), /from 8/);
  const toy = new Gan(mlp2dSpecs(), new Rng(1));
  assert.deepEqual(toy.sampleShape, [2]);
  assert.throws(() => new Gan({ generator: mlp2dSpecs().generator, discriminator: tinySpecs().discriminator }, new Rng(1)), /makes \[2\] but the discriminator takes \[1x4x4\]/);
});
