/**
 * The TF.js twins of the newer bench workloads (tfjs.ts) build the nets Locus measures (workloads.ts):
 * the same output shape after every layer (channels-last there) and the same parameters, layer by layer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import '../layers/index.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { lstm, vgg64 } from './tfjs.js';
import { lstm as lstmSpec, vgg64 as vgg64Spec } from './workloads.js';

type Tf = typeof import('@tensorflow/tfjs');

/** Parameter values per Locus layer that has any, in order. */
function locusParams(spec: SequentialSpec): number[] {
  const m = new Sequential(spec, new Rng(1));
  return m.layers.map((l) => l.params().reduce((s, p) => s + p.value.length, 0)).filter((n) => n > 0);
}

/** Output shapes after every Locus layer that changes the shape (channels first, batch left out). */
function locusShapes(spec: SequentialSpec): string[] {
  const m = new Sequential(spec, new Rng(1));
  const out: string[] = [];
  for (const l of m.layers) if (out.at(-1) !== l.outputShape.join('x')) out.push(l.outputShape.join('x'));
  return out;
}

async function cpuTf(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}

test('the TF.js vgg64 twin has the Locus net\'s layer shapes and parameters', async () => {
  const tf = await cpuTf();
  const model = vgg64(tf);
  const theirs = model.layers.map((l) => l.countParams()).filter((n) => n > 0);
  assert.deepEqual(theirs, locusParams(vgg64Spec()));
  const toChannelsFirst = (s: (number | null)[]) => (s.length === 4 ? [s[3], s[1], s[2]] : s.slice(1)).join('x');
  const shapes: string[] = [];
  for (const l of model.layers) {
    const s = toChannelsFirst(l.outputShape as (number | null)[]);
    if (shapes.at(-1) !== s) shapes.push(s);
  }
  assert.deepEqual(shapes, locusShapes(vgg64Spec()));
  assert.equal(model.countParams(), locusParams(vgg64Spec()).reduce((a, b) => a + b));
  model.dispose();
});

test('the TF.js lstm twin has the Locus net\'s parameters and output', async () => {
  const tf = await cpuTf();
  const model = lstm(tf);
  assert.deepEqual(model.layers.map((l) => l.countParams()), locusParams(lstmSpec()));
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  assert.deepEqual(new Sequential(lstmSpec(), new Rng(1)).outputShape, [10]);
  model.dispose();
});
