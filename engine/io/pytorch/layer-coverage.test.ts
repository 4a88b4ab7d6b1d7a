/**
 * Every layer type in the registry reaches the export tests: each appears in a network the PyTorch
 * and ONNX tests compare with Locus (nets.ts), so a new layer type without an export mapping fails
 * here until it is mapped and tested, or refused. A layer type the exports do not know is refused by
 * both with a reason naming the layer, before anything is written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import '../../layers/index.js';
import { layerTypes, type LayerSpec } from '../../layers/layer.js';
import { Sequential } from '../../models/sequential.js';
import { classifierToFile } from '../classifier.js';
import { ganFromFile } from '../gan.js';
import { exportOnnx } from '../onnx/export.js';
import '../stub-layers.js';
import { exportPytorch } from './export.js';
import { CLASSIFIER_NETS, ganFile, SEQUENCE_NETS } from './nets.js';

/** Every layer type a list of specs uses, nested layer lists included. */
function typesIn(layers: readonly LayerSpec[], into = new Set<string>()): Set<string> {
  for (const l of layers) {
    into.add(l.type);
    for (const v of Object.values(l)) {
      if (Array.isArray(v) && v.every((e) => typeof e === 'object' && e !== null && typeof (e as LayerSpec).type === 'string')) typesIn(v as LayerSpec[], into);
    }
  }
  return into;
}

test('every registered layer type is in a network the PyTorch and ONNX export tests compare with Locus', () => {
  const covered = new Set<string>();
  for (const [, spec] of [...CLASSIFIER_NETS, ...SEQUENCE_NETS]) typesIn(spec.layers, covered);
  const { gan } = ganFromFile(JSON.parse(JSON.stringify(ganFile())));
  typesIn(gan.generator.spec().layers, covered);
  typesIn(gan.discriminator.spec().layers, covered);
  const real = layerTypes().filter((t) => !t.startsWith('test')); // stub-layers.ts: the model-file tests' stand-ins
  assert.ok(real.length >= 20, `${real.length} layer types registered`);
  const missing = real.filter((t) => !covered.has(t));
  assert.deepEqual(missing, [], `layer types no export test uses (add them to engine/io/pytorch/nets.ts, mapped in both exports, or refused with a reason): ${missing.join(', ')}`);
});

test('a layer type the exports do not know is refused by both, naming the layer', () => {
  const model = new Sequential({ input: [1, 4, 4], layers: [{ type: 'flatten' }, { type: 'testAffine', units: 3 }] }, new Rng(1));
  const file = JSON.parse(JSON.stringify(classifierToFile({ model, classes: ['a', 'b', 'c'], input: { channels: 1, height: 4, width: 4 }, normalization: { kind: 'unit' }, training: { seed: 1, settings: {}, history: [] } })));
  assert.throws(() => exportPytorch(file), /layer 1 \(testAffine\) has no PyTorch equivalent/);
  assert.throws(() => exportOnnx(file), /layer 1 \(testAffine\) has no ONNX equivalent/);
});
