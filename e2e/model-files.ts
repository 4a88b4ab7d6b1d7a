/** Small model files of each kind, written with the engine's own io (no training needed), for the Models specs. */
import { Rng } from '../engine/core/rng.js';
import { seriesSpec } from '../engine/data/series.js';
import { classifierToFile } from '../engine/io/classifier.js';
import { ganToFile } from '../engine/io/gan.js';
import { writeModelFile } from '../engine/io/index.js';
import { sequenceToFile } from '../engine/io/sequence.js';
import '../engine/layers/index.js';
import { Gan } from '../engine/models/gan.js';
import { dcganSpecs } from '../engine/models/gan-presets.js';
import { sequenceSpec } from '../engine/models/sequence.js';
import { Sequential } from '../engine/models/sequential.js';

/** A GAN making 28x28 greyscale images (the bundled sample's size) from 8 latent values. */
export async function writeGan(path: string): Promise<void> {
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 8, width: 2 }), new Rng(5));
  await writeModelFile(path, ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 5, settings: { epochs: 1, batchSize: 32, width: 2 }, history: [{ epoch: 1, dLoss: 1.3, gLoss: 0.8 }] } }));
}

/** An LSTM on the "memory" series (6 steps of 3 features, 2 classes). */
export async function writeSequence(path: string): Promise<void> {
  const series = seriesSpec('memory', { steps: 6, classes: 2 });
  const model = new Sequential(sequenceSpec({ cell: 'lstm', steps: 6, features: 3, outputs: 2, units: 4, layers: 1 }), new Rng(3));
  await writeModelFile(path, sequenceToFile({ model, data: { source: 'series', series }, task: 'classify', classes: ['0', '1'], training: { seed: 3, settings: { task: 'memory', cell: 'lstm', units: 4, layers: 1, n: 256 }, history: [{ epoch: 1, trainLoss: 0.7, valLoss: 0.69, trainAcc: 0.5, valAcc: 0.5 }] } }));
}

/** A classifier of 28x28 greyscale images into four classes. */
export async function writeClassifier(path: string): Promise<void> {
  const model = new Sequential({ input: [1, 28, 28], layers: [{ type: 'flatten' }, { type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 4 }] }, new Rng(11));
  await writeModelFile(path, classifierToFile({ model, classes: ['disc', 'square', 'bar', 'ring'], input: { channels: 1, height: 28, width: 28 }, normalization: { kind: 'unit' }, training: { seed: 11, settings: {}, history: [] } }));
}
