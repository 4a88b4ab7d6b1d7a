/**
 * The model file's cost bound and number bounds: what a hostile or damaged file could otherwise do
 * (gigabytes of parsed `{}`, NaN from a tiny std or a huge weight, a step count that cannot be saved
 * again, an error message that echoes another file's content) is refused on import with the reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTensor } from './codec.js';
import { checkJsonCost } from './cost.js';
import { sampleFile } from './fixture.js';
import { LIMITS, ModelFileError, parseModel } from './index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const GOOD = JSON.stringify(sampleFile());

function reason(text: string): string {
  try {
    parseModel(text);
  } catch (e) {
    assert.ok(e instanceof ModelFileError, `a ModelFileError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.reason;
  }
  assert.fail('the file was accepted');
}

function tampered(mutate: (f: any) => void): string {
  const f = JSON.parse(GOOD);
  mutate(f);
  return reason(JSON.stringify(f));
}

/** The good file with `inner` spliced in as training.settings.x, as text (never parsed here). */
const withSettingsX = (inner: string): string => GOOD.replace('"settings":{', `"settings":{"x":${inner},`);

test('cost bound: a long array of {} in the free-form settings is refused from the text, before parsing', () => {
  const text = withSettingsX('[' + '{},'.repeat(LIMITS.maxArrayItems) + '{}]');
  assert.notEqual(text, GOOD);
  assert.match(reason(text), /^an array holds more than 100,000 items \(item 100001 at character \d+\)$/);
  // 100 M zeros would be 800 MB parsed; refused at the first array past the bound.
  assert.match(reason(withSettingsX('[' + '0,'.repeat(LIMITS.maxArrayItems + 5) + '0]')), /^an array holds more than/);
});

test('cost bound: the whole file, its depth and its keys', () => {
  const small = { maxValues: 50, maxDepth: 4, maxArrayItems: 10, maxKeyLength: 5 };
  assert.throws(() => checkJsonCost(JSON.stringify(Array.from({ length: 6 }, () => [1, 2, 3, 4, 5, 6, 7, 8, 9])), small), /more than 50 JSON values/);
  assert.throws(() => checkJsonCost('[[[[[1]]]]]', small), /^ModelFileError: nested deeper than 4 levels \(at character 4\)$/);
  assert.throws(() => checkJsonCost('{"abcdef": 1}', small), /a key at character 1 is longer than 5 characters/);
  // Strings are skipped whole, escaped quotes included; a key-like string in an array is a value.
  checkJsonCost('{"a":"x\\"y\\\\","b":["abcdefgh"],"c":{"d":"[[[[[[[["}}', small);
  assert.throws(() => checkJsonCost(JSON.stringify({ a: Array.from({ length: 11 }, () => 'a,b') }), small), /more than 10 items/);
  // Deep settings are refused by the text scan too, and the real file stays under every bound.
  assert.match(reason(withSettingsX('['.repeat(70) + ']'.repeat(70))), /^nested deeper than 64 levels/);
  assert.match(reason(withSettingsX(`{"${'k'.repeat(300)}": 1}`)), /^a key at character \d+ is longer than 256 characters$/);
  checkJsonCost(GOOD);
});

test('free-form settings stay small: values and characters', () => {
  assert.match(tampered((f) => (f.model.training.settings.x = Array.from({ length: 20000 }, () => 0))), /^training\.settings: more than 10000 values$/);
  assert.match(tampered((f) => (f.model.training.settings.x = 'y'.repeat(300 * 1024))), /^training\.settings: more than 262144 characters of names and text$/);
  assert.match(tampered((f) => (f.model.architecture.layers[0].extra = 'z'.repeat(300))), /^architecture: layer 0 \(testAffine\) option extra is longer than 200 characters$/);
});

test('a file that is not JSON is named so, without echoing its content', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
  assert.equal(reason(passwd), 'not a Locus model file (not JSON)');
  assert.equal(reason('  \n'), 'the file is empty');
  // JSON that breaks off, or breaks: where, never what.
  assert.equal(reason(GOOD.slice(0, 200)), 'not valid JSON (it ends too early: is the file truncated?)');
  const broken = reason('{"secret": "hunter2" "more": 1}');
  assert.match(broken, /^not valid JSON( \(at character \d+\))?$/);
  assert.ok(!broken.includes('hunter2'));
  // A long wrong value is shortened in the reason.
  assert.match(tampered((f) => (f.format = 'q'.repeat(100000))), /^not a Locus model file: format is "q{60}…" \(100000 characters\), expected "locus-model"$/);
});

test('NaN-producing files are refused: a tiny or huge std, a huge mean, a huge weight', () => {
  assert.match(tampered((f) => (f.model.normalization.std = [1e-300])), /^normalization: std of channel 0 is 1e-300; it must be between 1e-8 and 100000000/);
  assert.match(tampered((f) => (f.model.normalization.std = [1e300])), /^normalization: std of channel 0 is 1e\+300/);
  assert.match(tampered((f) => (f.model.normalization.mean = [-1e200])), /^normalization: mean of channel 0 is -1e\+200; it must be within ±100000000$/);
  const bigWeight = (f: any): void => {
    const t = f.model.params['0.weight'];
    const v = new Float32Array(new Uint8Array(Buffer.from(t.data, 'base64')).buffer);
    v[2] = 3.4e38;
    f.model.params['0.weight'] = encodeTensor(t.shape, v);
  };
  assert.match(tampered(bigWeight), /^params tensor "0\.weight": value 2 is 3\.39999\d+e\+38 \(values must be finite and within ±100000000\)$/);
  // The optimizer's moments have their own, wider bound (a second moment is a squared gradient).
  assert.match(
    tampered((f) => {
      const [slot] = Object.keys(f.model.optimizer.slots);
      const t = f.model.optimizer.slots[slot]['0.weight'];
      f.model.optimizer.slots[slot]['0.weight'] = encodeTensor(t.shape, new Float32Array(t.shape.reduce((a: number, b: number) => a * b, 1)).fill(1e31));
    }),
    /^optimizer: \w+ tensor "0\.weight": value 0 is 9\.9999\d+e\+30 \(values must be finite and within ±1e\+30\)$/,
  );
  // The smallest std a folder of 8-bit images can give (one pixel off by one in 10^8) is accepted.
  const f = JSON.parse(GOOD);
  f.model.normalization.std = [5.6e-7];
  parseModel(JSON.stringify(f));
});

test('counters keep room to count on: a step count of 2^53-1 is refused on import, as it would be on export', () => {
  assert.match(tampered((f) => (f.model.optimizer.t = 2 ** 53 - 1)), /^model\.optimizer\.t must be <= 1000000000000$/);
  assert.match(tampered((f) => (f.model.training.history[0].epoch = 2 ** 53 - 1)), /^model\.training\.history\[0\]\.epoch must be <= 1000000000000$/);
  const f = JSON.parse(GOOD);
  f.model.optimizer.t = LIMITS.maxCount;
  parseModel(JSON.stringify(f));
});

test('cost bound: keys in one object count like items in one array', () => {
  const small = { maxValues: 1000, maxDepth: 4, maxArrayItems: 10, maxKeyLength: 5 };
  checkJsonCost(JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, [i]]))), small);
  assert.throws(() => checkJsonCost(JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, { a: i }]))), small), /an object holds more than 10 keys \(key 11 at character \d+\)/);
  const many = '{' + Array.from({ length: LIMITS.maxArrayItems + 1 }, (_, i) => `"k${i}":0`).join(',') + '}';
  assert.match(reason(withSettingsX(many)), /^an object holds more than 100,000 keys/);
});

test('batch normalization that would give NaN is refused: a negative running variance, an epsilon under 1e-12', async () => {
  const { classifierModel } = await import('../models/presets.js');
  const { Rng } = await import('../core/rng.js');
  const { classifierToFile } = await import('./index.js');
  const model = classifierModel('mlp', [1, 8, 8], 2, { batchNorm: true }, new Rng(1));
  const file = classifierToFile({ model, classes: ['a', 'b'], input: { channels: 1, height: 8, width: 8 }, normalization: { kind: 'unit' }, training: { seed: 1, settings: {}, history: [] } });
  const good = JSON.stringify(file);
  parseModel(good);
  const edit = (mutate: (f: any) => void): string => {
    const f = JSON.parse(good);
    mutate(f);
    return reason(JSON.stringify(f));
  };
  const name = Object.keys(file.model.buffers).find((n) => n.endsWith('.runningVar'))!;
  const setVar = (v: number) => (f: any): void => {
    const t = f.model.buffers[name];
    f.model.buffers[name] = encodeTensor(t.shape, new Float32Array(t.shape[0]).fill(v));
  };
  assert.match(edit(setVar(-1)), new RegExp(`^buffers tensor "${name.replace('.', '\\.')}": value 0 is -1, a variance must be at least 0$`));
  // A variance of 0 is possible (a constant feature) and stays finite with the layer's epsilon.
  const zero = JSON.parse(good);
  setVar(0)(zero);
  parseModel(JSON.stringify(zero));
  const bn = (f: any): any => f.model.architecture.layers.find((l: any) => l.type === 'batchNorm');
  assert.match(edit((f) => (bn(f).epsilon = 1e-300)), /^architecture: layer \d+ \(batchNorm\) option epsilon = 1e-300; it must be at least 1e-12/);
  const small = JSON.parse(good);
  bn(small).epsilon = 1e-12;
  parseModel(JSON.stringify(small));
});

test('a file read at the bounds can be trained on and saved again: steps past 1e12 are recorded as 1e12, the last 100,000 epochs kept', async () => {
  const { classifierFromFile, classifierToFile } = await import('./index.js');
  const f = JSON.parse(GOOD);
  f.model.optimizer.t = LIMITS.maxCount;
  f.model.training.history = Array.from({ length: LIMITS.maxEpochs }, (_, i) => ({ epoch: i + 1, trainLoss: 1 }));
  const loaded = classifierFromFile(parseModel(JSON.stringify(f)) as never);
  const params = loaded.model.params();
  for (const p of params) p.grad.fill(0.01);
  loaded.optimizer!.step(params);
  assert.equal(loaded.optimizer!.getState().t, LIMITS.maxCount + 1);
  const again = classifierToFile({
    model: loaded.model,
    classes: loaded.classes,
    input: loaded.input,
    normalization: loaded.normalization,
    training: { ...loaded.training, history: [...loaded.training.history, { epoch: LIMITS.maxEpochs + 1, trainLoss: 0.5 }] },
    optimizer: loaded.optimizer!,
  });
  const back = parseModel(JSON.stringify(again)) as any;
  assert.equal(back.model.optimizer.t, LIMITS.maxCount);
  assert.equal(back.model.training.history.length, LIMITS.maxEpochs);
  assert.deepEqual(back.model.training.history.at(-1), { epoch: LIMITS.maxEpochs + 1, trainLoss: 0.5 });
  assert.equal(back.model.training.history[0].epoch, 2);
});
