import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { UNIT } from '../data/normalize.js';
import '../layers/index.js';
import { Sequential } from '../models/sequential.js';
import type { EngineEvent, Payload } from '../protocol/contract.js';
import { ClassifierRuns } from './classifier-run.js';
import { RunRegistry } from './runs.js';
import { decisionRegions, TOY_EXTENT, toyByte, toyImageSet } from './toy-train.js';

test('a toy set as 2x1x1 images: bytes over [-2, 2], classes named, the points kept unquantized', () => {
  const { set, points } = toyImageSet({ name: 'blobs', n: 90, classes: 3 }, 7);
  assert.deepEqual([set.n, set.channels, set.height, set.width], [90, 2, 1, 1]);
  assert.deepEqual(set.classes, ['blob 1', 'blob 2', 'blob 3']);
  for (let i = 0; i < 180; i++) assert.ok(Math.abs(set.pixels[i] / 255 * 4 - 2 - points[i]) <= 2 / 255 + 1e-6 || Math.abs(points[i]) > TOY_EXTENT);
  assert.equal(toyByte(-2), 0);
  assert.equal(toyByte(2), 255);
  assert.equal(toyByte(9), 255);
  assert.deepEqual(toyImageSet({ name: 'blobs', n: 90 }, 7).set.pixels, toyImageSet({ name: 'blobs', n: 90 }, 7).set.pixels, 'seeded');
});

test('decision regions of a hand-set network: the boundary at x = 0 and the softmax confidence of each cell', () => {
  // logits [u_x, 0.5] with u_x = (x + 2) / 4: class 0 right of x = 0, probability sigmoid(u_x - 0.5).
  const model = new Sequential({ input: [2, 1, 1], layers: [{ type: 'flatten' }, { type: 'dense', units: 2 }] }, new Rng(1));
  const [w, b] = model.params();
  w.value.set(w.value.length === 4 ? [1, 0, 0, 0] : []);
  b.value.set([0, 0.5]);
  const size = 8;
  const g = decisionRegions(model, UNIT, size);
  assert.equal(g.size, size);
  for (let gy = 0; gy < size; gy++) {
    for (let gx = 0; gx < size; gx++) {
      const x = -2 + ((gx + 0.5) * 4) / size;
      const q = gy * size + gx;
      assert.equal(g.cls[q], x > 0 ? 0 : 1, `cell ${gx},${gy}`);
      const p0 = 1 / (1 + Math.exp(0.5 - (x + 2) / 4));
      assert.ok(Math.abs(g.conf[q] - Math.round(255 * Math.max(p0, 1 - p0))) <= 1, `confidence of cell ${gx},${gy}: ${g.conf[q]}`);
    }
  }
  assert.throws(() => decisionRegions(new Sequential({ input: [1, 4, 4], layers: [{ type: 'flatten' }, { type: 'dense', units: 2 }] }, new Rng(1)), UNIT, 8), /input 2x1x1/);
});

test('a Train run on the moons toy set (no folder loaded) learns them, and its regions agree with its points', async () => {
  const runs = new ClassifierRuns(new RunRegistry({ dir: null, origin: 'app' }));
  const events: EngineEvent[] = [];
  let done: (() => void) | null = null;
  const finished = new Promise<void>((r) => (done = r));
  const sink = {
    emit<E extends EngineEvent>(event: E, _p: Payload<E>) {
      events.push(event);
      if (event === 'train.done') done?.();
    },
  };
  assert.throws(() => runs.start({ architecture: { preset: 'mlp' }, optimizer: { type: 'adam', lr: 0.01 }, epochs: 1, batchSize: 16, seed: 1 }, null, sink), /no folder is loaded/);
  const started = runs.start(
    { architecture: { layers: [{ type: 'flatten' }, { type: 'dense', units: 16 }, { type: 'tanh' }, { type: 'dense', units: 16 }, { type: 'tanh' }, { type: 'dense', units: 2 }] }, optimizer: { type: 'adam', lr: 0.03 }, epochs: 40, batchSize: 16, seed: 1, toy: { name: 'moons', n: 300 } },
    null,
    sink,
  );
  assert.deepEqual([started.train, started.val], [240, 60]);
  await finished;
  const r = runs.regions(48);
  assert.equal(r.points.length, 600);
  assert.deepEqual(r.classes, ['moon 1', 'moon 2']);
  assert.equal(r.val.reduce((a, v) => a + v, 0), 60);
  // The class painted under each point is that point's class for nearly all of them.
  let right = 0;
  for (let i = 0; i < 300; i++) {
    const gx = Math.min(47, Math.max(0, Math.floor(((r.points[2 * i] + 2) / 4) * 48)));
    const gy = Math.min(47, Math.max(0, Math.floor(((r.points[2 * i + 1] + 2) / 4) * 48)));
    if (r.grid.cls[gy * 48 + gx] === r.labels[i]) right++;
  }
  assert.ok(right >= 0.9 * 300, `${right} of 300 points lie in their class's region`);
  assert.ok(new Set(r.grid.cls).size === 2, 'both classes have a region');
  assert.ok(events.includes('train.epoch'));
  assert.throws(() => runs.speed(10), /no training run is in progress/);
});
