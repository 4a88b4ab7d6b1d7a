/**
 * GAN runs carry the confident-samples score (gan-score.ts) with each epoch when the images are 28x28
 * grey (the score's classifier's shape): in the gan.epoch event, in the run's history and in its final
 * figures, with the folder's own images as the reference. Other shapes get no score.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';
import type { GanDone, GanEpoch } from '../protocol/gan.js';
import type { EventSink } from './events.js';
import { GanRuns } from './gan-run.js';
import { RunRegistry } from './runs.js';

function noiseSet(n: number, side: number): ImageSet {
  const rng = new Rng(2);
  const pixels = Uint8Array.from({ length: n * side * side }, () => rng.int(256));
  return { n, channels: 1, height: side, width: side, pixels, labels: new Int32Array(n), classes: ['a'], paths: [] };
}

async function runOn(set: ImageSet): Promise<{ epochs: GanEpoch[]; figures: Record<string, number | null>; history: Record<string, number | null>[] }> {
  const registry = new RunRegistry({ dir: null, origin: 'cli' });
  const runs = new GanRuns(registry);
  const epochs: GanEpoch[] = [];
  let resolve!: (d: GanDone) => void;
  const done = new Promise<GanDone>((r) => (resolve = r));
  const ctx = { emit: (event: string, payload: unknown) => {
    if (event === 'gan.epoch') epochs.push(payload as GanEpoch);
    if (event === 'gan.done') resolve(payload as GanDone);
  } } as EventSink;
  const { runId } = runs.start({ mode: 'image', seed: 1, batchSize: 16, lrG: 1e-3, lrD: 1e-3, epochs: 2, latent: 8, width: 4 }, set, ctx);
  assert.equal((await done).reason, 'completed');
  await new Promise((r) => setTimeout(r, 10)); // the registry's finish
  const rec = registry.get(runId);
  return { epochs, figures: rec.summary.figures, history: rec.history };
}

test('GAN run: 28x28 grey images get the score with every epoch, in the history and the final figures', async () => {
  const { epochs, figures, history } = await runOn(noiseSet(32, 28));
  assert.equal(epochs.length, 2);
  for (const e of epochs) {
    assert.ok(e.score, 'the epoch event carries the score');
    assert.ok(e.score.confident >= 0 && e.score.confident <= 1);
    assert.equal(e.score.real, 0, 'noise "photos" are never confidently garments');
    assert.equal(e.score.classes.length, 10);
    assert.equal(e.score.perClass.length, 10);
  }
  assert.ok(history.every((h) => typeof h.confident === 'number' && h.confidentReal === 0));
  assert.equal(figures.confident, history.at(-1)?.confident);
  assert.equal(figures.confidentReal, 0);
});

test('GAN run: images of another shape get no score', async () => {
  const { epochs, figures } = await runOn(noiseSet(32, 12));
  assert.equal(epochs.length, 2);
  assert.ok(epochs.every((e) => e.score === undefined));
  assert.ok(!('confident' in figures));
});
