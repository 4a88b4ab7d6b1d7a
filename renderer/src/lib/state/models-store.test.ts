/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
/**
 * The Models view's store against a stand-in engine: a GAN or sequence file opens beside the current
 * classifier and is what the view shows and exports (the export names it, and a refused export keeps
 * which model it was for the "Replace it" question); a dropped file goes to the engine as its bytes,
 * and an empty or too large one is refused in words before anything is sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError, MAX_IMAGE_BYTES, type ModelInfo } from '../../../../engine/protocol/contract.js';
import { ModelStore } from './models.svelte.js';
import { fakeApi } from './fake-api.js';


const info = (kind: string, extra: Partial<ModelInfo> = {}): ModelInfo => ({
  kind,
  source: 'imported',
  path: `/m/${kind}.json`,
  classes: kind === 'classifier' ? ['a', 'b', 'c'] : [],
  input: { channels: 1, height: 28, width: 28 },
  layers: [],
  params: 10,
  epochs: 1,
  history: [],
  hasOptimizer: false,
  createdAt: '2026-01-01',
  locusVersion: '0.1.0',
  ...extra,
});
const tick = () => new Promise((r) => setTimeout(r, 0));

test('a GAN file opens beside the classifier and is what the view shows and exports; a classifier event shows the classifier again', async () => {
  let refuse = true;
  const { api, emit, calls } = fakeApi({
    'models.current': () => ({ model: info('classifier'), opened: null }),
    'models.import': (p) => ((p as { path: string }).path.includes('gan') ? info('gan', { about: { what: 'a GAN making 28×28 greyscale images', data: 'images' } }) : info('classifier')),
    'models.exportTo': (p) => {
      const q = p as { path: string; format: string };
      if (refuse) throw new LabError({ message: `${q.path} is a folder with other files; it was not replaced (confirm to overwrite it)`, code: 'exists' });
      return { path: q.path, format: q.format, files: 2, bytes: 4096 };
    },
  });
  const s = new ModelStore(api);
  await tick();
  assert.equal(s.current?.kind, 'classifier');
  assert.equal(s.showing, 'current');
  assert.equal(await s.import('/m/gan.json'), true);
  assert.match(s.outcome?.text ?? '', /^Opened \/m\/gan\.json: a GAN making 28×28 greyscale images, 1 epoch of training\.$/);
  assert.equal(s.current?.kind, 'classifier', 'the classifier stays current');
  assert.equal(s.opened?.kind, 'gan');
  assert.equal(s.showing, 'opened');
  assert.equal(s.shown?.kind, 'gan');
  assert.equal(await s.exportTo('tfjs', ' /out/gan-tfjs '), false);
  assert.deepEqual(calls.at(-1), { method: 'models.exportTo', params: { format: 'tfjs', path: '/out/gan-tfjs', overwrite: false, model: 'opened' } });
  assert.deepEqual(s.pendingOverwrite, { format: 'tfjs', path: '/out/gan-tfjs', model: 'opened' });
  refuse = false;
  s.showing = 'current'; // switching views does not change what the pending question was about
  const p = s.pendingOverwrite!;
  assert.equal(await s.exportTo(p.format, p.path, true, p.model), true);
  assert.deepEqual(calls.at(-1)?.params, { format: 'tfjs', path: '/out/gan-tfjs', overwrite: true, model: 'opened' });
  assert.match(s.outcome?.text ?? '', /^Wrote \/out\/gan-tfjs\/model\.json and its weights \(TensorFlow\.js layers format, 4 KB\)/);
  s.showing = 'opened';
  emit('models.changed', info('classifier', { epochs: 2 }));
  assert.equal(s.showing, 'current');
  assert.equal(s.shown?.epochs, 2);
});

test('a dropped file goes to the engine as its bytes with its name; empty and too large files are refused before sending', async () => {
  const { api, calls } = fakeApi({
    'models.current': () => ({ model: info('classifier'), opened: null }),
    'models.predict': (p) => {
      const q = p as { bytes?: Uint8Array; name?: string };
      if (q.name === 'notes.png') throw new LabError({ message: 'notes.png: not an image: text file (despite the .png name)', code: 'invalid' });
      return { image: { channels: 1, height: 2, width: 2, pixels: new Uint8Array(4) }, label: -1, top: [{ class: 'a', probability: 0.5 }, { class: 'b', probability: 0.3 }, { class: 'c', probability: 0.2 }] };
    },
  });
  const s = new ModelStore(api);
  await tick();
  const bytes = Uint8Array.from([137, 80, 78, 71, 1, 2, 3]);
  await s.predictFile(new File([bytes], 'shoe.png', { type: 'image/png' }));
  const sent = calls.at(-1) as { method: string; params: { bytes: Uint8Array; name: string } };
  assert.equal(sent.method, 'models.predict');
  assert.deepEqual([...sent.params.bytes], [...bytes]);
  assert.equal(sent.params.name, 'shoe.png');
  assert.equal(s.prediction?.top.length, 3);
  assert.equal(s.dropped?.name, 'shoe.png');
  assert.match(s.dropped?.url ?? '', /^blob:/);
  assert.equal(s.predictError, null);

  const before = calls.length;
  await s.predictFile(new File([], 'empty.png'));
  assert.equal(s.predictError, 'empty.png: empty file (0 bytes)');
  await s.predictFile(new File([new Uint8Array(MAX_IMAGE_BYTES + 1)], 'huge.tif'));
  assert.equal(s.predictError, 'huge.tif: 12.0 MB is over the 12 MB an image may have here');
  assert.equal(calls.length, before, 'nothing was sent');
  assert.equal(s.prediction, null);
  assert.equal(s.dropped, null);

  await s.predictFile(new File(['not a picture'], 'notes.png'));
  assert.equal(s.predictError, 'notes.png: not an image: text file (despite the .png name)');
  assert.equal(s.prediction, null);
});
