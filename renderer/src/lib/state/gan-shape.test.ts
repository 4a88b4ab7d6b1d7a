/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
/**
 * Continuing a GAN from a file: the GAN view's form shows the file's latent size and width, read from
 * the layer rows the Models view has for the file (the engine's own description of a real DCGAN file).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../../engine/core/rng.js';
import { ganToFile } from '../../../../engine/io/gan.js';
import '../../../../engine/layers/index.js';
import { Gan } from '../../../../engine/models/gan.js';
import { dcganSpecs } from '../../../../engine/models/gan-presets.js';
import { describeGan } from '../../../../engine/session/model-files.js';
import { ganShape } from './gan.svelte.js';

test("a DCGAN file's latent size and width come back from its layer rows", () => {
  for (const [channels, size, latent, width] of [
    [1, 28, 8, 2],
    [3, 32, 100, 16],
    [1, 64, 3, 5],
  ]) {
    const gan = new Gan(dcganSpecs({ channels, size, latent, width }), new Rng(1));
    const info = describeGan(ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 1, settings: {}, history: [] } }), null);
    assert.deepEqual(ganShape(info.layers, info.about?.discriminator), { latent, width }, `${channels}x${size} latent ${latent} width ${width}`);
  }
});

test('layers of another shape give nothing (the form is left as it is)', () => {
  assert.equal(ganShape([], []), null);
  assert.equal(ganShape([{ type: 'dense', params: 10, spec: { units: 3 } }], [{ type: 'conv2d', spec: { filters: 4 } }]), null);
  assert.equal(ganShape([{ type: 'dense', params: 12, spec: { units: 3 } }], undefined), null);
});
