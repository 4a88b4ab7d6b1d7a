/**
 * Architecture presets, as JSON descriptions (the same form the model file stores). Each takes the
 * per-sample input shape [channels, height, width] of the loaded folder and the number of classes.
 *  - mlp:     flatten, dense 256, dense 128, classes
 *  - lenet5:  conv 5x5x6, pool, conv 5x5x16, pool, dense 120, 84, classes
 *  - vgg:     `depth` blocks of conv-conv-pool (16, 32, 64... filters), dense 128, classes
 *  - resnet:  conv stem, `depth` residual blocks per stage (16, 32, 64 filters, stride 2 between stages,
 *             projection shortcuts where the shape changes), global average pooling, classes
 *  - highway: conv stem and pool, `depth` gate (highway) blocks, pool, dense 128, classes
 *  - custom:  `layers` as given (the app's layer editor); its output must be one value per class
 */
import type { Rng } from '../core/rng.js';
import type { InitName } from '../layers/init.js';
import type { LayerSpec } from '../layers/layer.js';
import {
  ACTIVATIONS,
  conv,
  act,
  defaultInit,
  hiddenDense,
  highwayBlock,
  residualBlock,
  vggBlock,
  type Activation,
  type HiddenStyle,
} from './classifier-blocks.js';
import { Sequential, type SequentialSpec } from './sequential.js';

export type PresetName = 'mlp' | 'lenet5' | 'vgg' | 'resnet' | 'highway' | 'custom';
export const PRESETS: readonly PresetName[] = ['mlp', 'lenet5', 'vgg', 'resnet', 'highway', 'custom'];

export interface PresetOptions {
  /** Hidden activation: relu (default), leakyRelu, sigmoid or tanh. */
  activation?: Activation;
  /** Hidden weight initializer; default he for relu/leakyRelu, glorot for sigmoid/tanh. */
  init?: InitName;
  /** Constant bias of hidden units, e.g. 0.01 so ReLU units start active; default 0. */
  biasInit?: number;
  /** Dropout rate on hidden dense units (0 = none). */
  dropout?: number;
  /** Dropout rate on the input pixels (0 = none). */
  inputDropout?: number;
  /** BatchNorm after each hidden conv and dense layer (vgg, resnet, highway, mlp); default false. */
  batchNorm?: boolean;
  /** Blocks (vgg), residual blocks per stage (resnet) or gate blocks (highway); default 2, 1, 2. */
  depth?: number;
  /** The full layer list for 'custom'. */
  layers?: LayerSpec[];
}

function style(o: PresetOptions): HiddenStyle {
  const activation = o.activation ?? 'relu';
  if (!ACTIVATIONS.includes(activation)) throw new Error(`unknown activation "${String(activation)}" (known: ${ACTIVATIONS.join(', ')})`);
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${dropout}`);
  const biasInit = o.biasInit ?? 0;
  if (!Number.isFinite(biasInit)) throw new Error(`biasInit must be a finite number, got ${biasInit}`);
  return { activation, init: o.init ?? defaultInit(activation), biasInit, batchNorm: o.batchNorm ?? false, dropout };
}

function depthOf(o: PresetOptions, dflt: number, max: number): number {
  const d = o.depth ?? dflt;
  if (!(Number.isInteger(d) && d >= 1 && d <= max)) throw new Error(`depth must be a whole number from 1 to ${max}, got ${d}`);
  return d;
}

function inputLayers(o: PresetOptions): LayerSpec[] {
  const r = o.inputDropout ?? 0;
  if (!(r >= 0 && r < 1)) throw new Error(`inputDropout must be in [0, 1), got ${r}`);
  return r > 0 ? [{ type: 'dropout', rate: r }] : [];
}

const output = (classes: number): LayerSpec => ({ type: 'dense', units: classes, init: 'glorot' });

export function presetSpec(name: string, input: readonly number[], classes: number, o: PresetOptions = {}): SequentialSpec {
  if (input.length !== 3) throw new Error(`preset ${name}: input must be [channels, height, width]`);
  const [c, h, w] = input;
  const s = style(o);
  const plain: HiddenStyle = { ...s, batchNorm: false };
  const spec = (layers: LayerSpec[]): SequentialSpec => ({ input: [c, h, w], layers: [...inputLayers(o), ...layers] });
  switch (name) {
    case 'mlp':
      // 784-256-128-10 on 28x28 gray.
      return spec([{ type: 'flatten' }, ...hiddenDense(256, s), ...hiddenDense(128, s), output(classes)]);
    case 'lenet5': {
      // conv 5x5x6 (same), pool 2, conv 5x5x16 (valid), pool 2, dense 120, 84, classes.
      if (h < 12 || w < 12) throw new Error('lenet5 needs images of at least 12x12 pixels');
      const cv = (filters: number, padding: string): LayerSpec => ({ type: 'conv2d', filters, kernel: 5, padding, init: s.init, ...(s.biasInit ? { biasInit: s.biasInit } : {}) });
      return spec([
        cv(6, 'same'),
        act(s.activation),
        { type: 'maxPool2d', size: 2, stride: 2 },
        cv(16, 'valid'),
        act(s.activation),
        { type: 'maxPool2d', size: 2, stride: 2 },
        { type: 'flatten' },
        ...hiddenDense(120, plain),
        ...hiddenDense(84, plain),
        output(classes),
      ]);
    }
    case 'vgg': {
      const d = depthOf(o, 2, 5);
      if (Math.min(h, w) >> d < 1) throw new Error(`vgg with depth ${d} needs images of at least ${2 ** d}x${2 ** d} pixels`);
      const blocks: LayerSpec[] = [];
      for (let b = 0; b < d; b++) blocks.push(...vggBlock(16 << b, 2, s));
      return spec([...blocks, { type: 'flatten' }, ...hiddenDense(128, { ...s, batchNorm: false }), output(classes)]);
    }
    case 'resnet': {
      const d = depthOf(o, 1, 8);
      if (Math.min(h, w) < 8) throw new Error('resnet needs images of at least 8x8 pixels');
      const layers: LayerSpec[] = [...conv(16, s), act(s.activation)];
      let ch = 16;
      let size = [h, w];
      for (let stage = 0; stage < 3; stage++) {
        const f = 16 << stage;
        for (let b = 0; b < d; b++) {
          const stride = stage > 0 && b === 0 ? 2 : 1;
          layers.push(...residualBlock(ch, f, stride, s));
          if (stride === 2) size = size.map((v) => Math.ceil(v / 2));
          ch = f;
        }
      }
      // Global average pooling when the final map is square; otherwise flatten it.
      if (size[0] === size[1]) layers.push({ type: 'avgPool2d', size: size[0], stride: size[0] });
      return spec([...layers, { type: 'flatten' }, output(classes)]);
    }
    case 'highway': {
      const d = depthOf(o, 2, 16);
      if (Math.min(h, w) < 4) throw new Error('highway needs images of at least 4x4 pixels');
      const blocks: LayerSpec[] = [];
      for (let b = 0; b < d; b++) blocks.push(highwayBlock(16, s));
      return spec([
        ...conv(16, s),
        act(s.activation),
        { type: 'maxPool2d', size: 2, stride: 2 },
        ...blocks,
        { type: 'maxPool2d', size: 2, stride: 2 },
        { type: 'flatten' },
        ...hiddenDense(128, { ...s, batchNorm: false }),
        output(classes),
      ]);
    }
    case 'custom': {
      if (!Array.isArray(o.layers) || o.layers.length === 0) throw new Error('preset custom: give the layer list (layers)');
      return { input: [c, h, w], layers: o.layers.map((l) => ({ ...l })) };
    }
    default:
      throw new Error(`unknown model preset "${name}" (known: ${PRESETS.join(', ')})`);
  }
}

/** Build a preset (or custom list) and check that it ends in one output per class. */
export function classifierModel(name: string, input: readonly number[], classes: number, o: PresetOptions, rng: Rng): Sequential {
  const model = new Sequential(presetSpec(name, input, classes, o), rng);
  const out = model.outputShape;
  if (out.length !== 1 || out[0] !== classes) {
    throw new Error(`the model's output is [${out.join('x')}] but there are ${classes} classes: end the layer list with a dense layer of ${classes} units`);
  }
  return model;
}
