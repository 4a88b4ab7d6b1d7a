import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTensor } from './codec.js';
import { sampleFile } from './fixture.js';
import { LIMITS, ModelFileError, parseModel } from './index.js';

// Each test tampers with a valid file and checks the one-line reason given on import.
/* eslint-disable @typescript-eslint/no-explicit-any */
const GOOD = JSON.stringify(sampleFile());

function refuses(text: string, re: RegExp): void {
  assert.throws(
    () => parseModel(text),
    (e: unknown) => {
      assert.ok(e instanceof ModelFileError, `a ModelFileError, got ${String(e)}`);
      assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
      assert.match(e.reason, re);
      return true;
    },
  );
}

function tampered(mutate: (f: any) => void, re: RegExp): void {
  const f = JSON.parse(GOOD);
  mutate(f);
  refuses(JSON.stringify(f), re);
}

test('the untampered file is accepted, also with a flat input of the same size', () => {
  parseModel(GOOD);
  const f = JSON.parse(GOOD);
  f.model.architecture.input = [6];
  parseModel(JSON.stringify(f));
});

test('not JSON, or not an object', () => {
  refuses('{"format": "locus-model",', /^not valid JSON/);
  refuses('[1, 2]', /top level is not an object/);
  refuses('"locus-model"', /top level is not an object/);
});

test('wrong or missing format tag', () => {
  tampered((f) => delete f.format, /^not a Locus model file: no "format" tag/);
  tampered((f) => (f.format = 'onnx'), /^not a Locus model file: format is "onnx", expected "locus-model"$/);
});

test('a future version is refused with the versions named', () => {
  tampered((f) => (f.version = 2), /^made by a newer Locus: format version 2, this one reads up to 1$/);
  tampered((f) => (f.version = '1'), /unknown format version "1"/);
  tampered((f) => (f.version = 0), /unknown format version 0/);
  tampered((f) => delete f.version, /missing field version/);
});

test('an unknown kind', () => {
  tampered((f) => (f.kind = 'hologram'), /^unknown model kind "hologram" \(this Locus reads: (.*, )?classifier/);
});

test('missing fields, wrong types, unexpected fields (schema)', () => {
  tampered((f) => delete f.model.classes, /^missing field model.classes$/);
  tampered((f) => delete f.createdAt, /^missing field createdAt$/);
  tampered((f) => delete f.model.params['0.bias'].data, /^missing field model.params.0.bias.data$/);
  tampered((f) => (f.model.classes[1] = 5), /^model.classes\[1\] must be string$/);
  tampered((f) => (f.model.input.channels = 1.5), /^model.input.channels must be integer$/);
  tampered((f) => (f.model.extra = true), /^unexpected field model.extra$/);
  tampered((f) => (f.model.params['0.bias'].dtype = 'float64'), /model.params.0.bias.dtype must be "float32"/);
  tampered((f) => (f.model.normalization = { kind: 'zscore' }), /model.normalization: unknown kind "zscore"/);
  tampered((f) => (f.model.normalization.std = [0]), /model.normalization.std\[0\] must be > 0/);
  tampered((f) => (f.model.training.seed = -1), /model.training.seed must be >= 0/);
  tampered((f) => (f.model.training.history[0].loss = 'low'), /history\[0\].loss must be number,null/);
  tampered((f) => (f.createdAt = 'yesterday'), /createdAt must match pattern/);
});

test('unknown layer types and options are refused, never evaluated', () => {
  tampered((f) => (f.model.architecture.layers[1].type = 'eval'), /^architecture: unknown layer type "eval" \(known: .*dense/);
  tampered((f) => (f.model.architecture.layers[0].activation = 'x'), /^architecture: layer "testAffine": unknown option "activation"/);
  tampered((f) => (f.model.architecture.layers[0].units = '5'), /^architecture: layer "testAffine": option "units" must be number/);
});

test('shape mismatches name the tensor', () => {
  // The architecture says 6 units, the stored tensors were trained with 5.
  tampered((f) => (f.model.architecture.layers[0].units = 6), /^params tensor "0.weight" has shape \[5x6\], the architecture needs \[6x6\]$/);
  // A tensor re-encoded with a consistent but wrong shape.
  tampered((f) => (f.model.params['2.1.bias'] = encodeTensor([4], new Float32Array(4))), /^params tensor "2.1.bias" has shape \[4\], the architecture needs \[3\]$/);
  tampered((f) => delete f.model.params['0.bias'], /^params tensor "0.bias" is missing$/);
  tampered((f) => (f.model.params['9.weight'] = encodeTensor([1], new Float32Array(1))), /^params tensor "9.weight" is not in the architecture$/);
  tampered((f) => delete f.model.buffers['1.runningMean'], /^buffers tensor "1.runningMean" is missing$/);
  tampered((f) => (f.model.architecture.input = [7]), /^architecture: input \[7\] does not fit images of \[1x2x3\]$/);
  tampered((f) => (f.model.architecture.input = [1, 3, 2]), /^architecture: input \[1x3x2\] does not fit images of \[1x2x3\]$/);
  tampered((f) => f.model.classes.push('owl'), /^architecture: the network outputs \[3\] but there are 4 classes/);
  tampered((f) => delete f.model.optimizer.slots.m['1.gamma'], /^optimizer: m tensor "1.gamma" is missing$/);
  tampered((f) => (f.model.optimizer.slots.v['0.bias'] = encodeTensor([6], new Float32Array(6))), /^optimizer: v tensor "0.bias" has shape \[6\], the param has \[5\]$/);
});

test('non-finite numbers, in the JSON or in a tensor', () => {
  refuses(GOOD.replace('"trainLoss":1.5', '"trainLoss":1e999'), /^model.training.history\[0\].trainLoss: number is not finite$/);
  refuses(GOOD.replace('"mean":[0.5]', '"mean":[-1e400]'), /^model.normalization.mean\[0\]: number is not finite$/);
  tampered((f) => (f.model.params['0.bias'] = encodeTensor([5], Float32Array.of(0, 0, Number.NaN, 0, 0))), /^params tensor "0.bias": value 2 is NaN/);
  tampered((f) => (f.model.buffers['1.runningMean'] = encodeTensor([5], new Float32Array(5).fill(Infinity))), /^buffers tensor "1.runningMean": value 0 is Infinity/);
  tampered((f) => (f.model.optimizer.slots.m['0.bias'] = encodeTensor([5], new Float32Array(5).fill(-Infinity))), /^optimizer: m tensor "0.bias": value 0 is -Infinity/);
});

test('base64 that does not decode to the right length', () => {
  tampered((f) => (f.model.params['0.bias'].data = f.model.params['0.bias'].data.slice(4)), /^params tensor "0.bias": data has 24 base64 characters, shape \[5\] needs 28 \(20 bytes\)$/);
  tampered((f) => (f.model.params['0.bias'].data = '*' + f.model.params['0.bias'].data.slice(1)), /^params tensor "0.bias": data is not base64$/);
  // 5 floats = 20 bytes = 28 characters ending in one "="; "==" there decodes to 19 bytes.
  tampered((f) => (f.model.params['0.bias'].data = 'A'.repeat(26) + '=='), /^params tensor "0.bias": data decodes to 19 bytes, expected 20$/);
  tampered((f) => (f.model.masks = { '0.bias': { dtype: 'uint8', shape: [5], data: Buffer.from([1, 1, 2, 1, 1]).toString('base64') } }), /^mask "0.bias": entry 2 is 2/);
});

test('absurd sizes are refused before anything is allocated', () => {
  tampered((f) => (f.model.params['0.weight'].shape = [65536, 65536]), new RegExp(`^params tensor "0.weight": 4294967296 values, at most ${LIMITS.maxTensorElements} allowed$`));
  tampered((f) => (f.model.params['0.weight'].shape = [70000]), /^params tensor "0.weight": axis size 70000 is not an integer in 1..65536$/);
  tampered((f) => (f.model.params['0.weight'].shape = [1, 1, 1, 1, 1, 1, 30]), /^params tensor "0.weight": 7 axes, at most 6 allowed$/);
  tampered((f) => (f.model.architecture.layers[0].units = 1e9), /^architecture: layer 0 \(testAffine\) option units = 1000000000 is larger than 65536$/);
  tampered((f) => (f.model.architecture.layers = Array.from({ length: 600 }, () => ({ type: 'testShift' }))), /^architecture: more than 512 layers$/);
  tampered((f) => (f.model.architecture.input = [1, 2, 3, 1, 1, 1, 1]), /^architecture: input has 7 axes, at most 6 allowed$/);
  tampered((f) => (f.model.input.channels = 100), /^input: 100 channels, at most 64 allowed$/);
  tampered((f) => (f.model.input.width = 100000), /^input: 100000x2 pixels, at most 8192 on a side allowed$/);
  tampered((f) => (f.model.classes = Array.from({ length: 10001 }, (_, i) => `c${i}`)), /^10001 classes, at most 10000 allowed$/);
  tampered((f) => (f.model.classes[0] = 'x'.repeat(201)), /^a class name is longer than 200 characters$/);
  tampered((f) => (f.model.classes[1] = 'cat'), /^class "cat" is listed twice$/);
  tampered((f) => (f.model.training.settings.deep = JSON.parse('['.repeat(70) + ']'.repeat(70))), /^nested deeper than 64 levels \(at character \d+\)$/);
});

test('__proto__ and constructor keys are refused and pollute nothing', () => {
  const withProto = GOOD.replace('"settings":{', '"settings":{"__proto__":{"polluted":true},');
  assert.notEqual(withProto, GOOD);
  refuses(withProto, /^model.training.settings.__proto__: the key "__proto__" is not allowed$/);
  const withCtor = GOOD.replace('{"type":"testShift"', '{"type":"testShift","constructor":{"prototype":{"polluted":true}}');
  assert.notEqual(withCtor, GOOD);
  refuses(withCtor, /the key "constructor" is not allowed$/);
  refuses('{"__proto__":{"format":"locus-model"}}', /the key "__proto__" is not allowed/);
  assert.equal(({} as any).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});

test('an unknown optimizer or bad optimizer options in the saved state', () => {
  tampered((f) => (f.model.optimizer.spec.type = 'adamax'), /^optimizer: unknown optimizer type "adamax"/);
  tampered((f) => (f.model.optimizer.spec.beta1 = 2), /^optimizer: optimizer "adam": beta1 must be in \[0, 1\)/);
  tampered((f) => (f.model.optimizer.slots.extra = {}), /^optimizer: optimizer state: slots are \[extra, m, v\]/);
});

test('normalization must give one mean and std per channel', () => {
  tampered((f) => (f.model.normalization = { kind: 'standard', mean: [0.5, 0.5], std: [0.2, 0.2] }), /^normalization: mean and std need one value per channel \(1\), got 2 and 2$/);
});
