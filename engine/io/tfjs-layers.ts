/**
 * Locus layers as Keras layers (TensorFlow.js's layers format, channels last). Every layer type with a
 * Keras equivalent maps to standard layers only, so the export loads with a plain tf.loadLayersModel:
 *  - flatten / reshape of an image first Permute to [C, H, W] so values come out in Locus's order, and a
 *    reshape to an image Permutes back to [H, W, C]: a dense layer after a flatten keeps its rows;
 *  - residual: Add(body(x), shortcut(x)) in a functional graph;
 *  - gate: y = g·a(x) + (1 − g)·b(x) with g = sigmoid(z) and 1 − g = sigmoid(−z), −z coming from a copy of
 *    the gate's projection with negated weights, then Multiply and Add (Keras in TensorFlow.js has no
 *    Subtract layer and a Lambda would need custom code);
 *  - conv1d, simpleRnn and lstm keep their weight layouts (a conv1d without returnSequences adds a
 *    GlobalAveragePooling1D); gru is refused (TensorFlow.js's GRU has no reset_after form);
 *  - convTranspose2d sizes Keras cannot make directly ('valid' with kernel < stride, outputPadding) are a
 *    'valid' Conv2DTranspose followed by Cropping2D.
 * Anything else is refused with the layer's path and the reason.
 */
import type {
  BatchNormConfig,
  Conv2dConfig,
  ConvTranspose2dConfig,
  DenseConfig,
  DropoutConfig,
  GateConfig,
  Layer,
  LeakyReluConfig,
  PoolConfig,
} from '../layers/index.js';
import { shapeEq } from '../core/tensor.js';
import { conv1dGeometry, type Conv1dConfig } from '../layers/conv1d.js';
import type { RecurrentConfig } from '../layers/recurrent.js';
import { TfjsExportError, TfjsGraph, type TfRef } from './tfjs-graph.js';
import { convKernel, convTransposeKernel, scaled } from './tfjs-weights.js';

interface Ctx {
  g: TfjsGraph;
  /** Multiply every weight and bias by this (−1 for the gate's mirrored projection). */
  sign: number;
}

/** Run a chain of Locus layers on x; `path` prefixes layer positions in messages ("3." inside layer 3). */
export function convertChain(layers: readonly Layer[], x: TfRef, ctx: Ctx, path = ''): TfRef {
  let h = x;
  layers.forEach((l, i) => {
    h = convertLayer(l, h, ctx, `${path}${i}`);
  });
  return h;
}

function tensorOf(layer: Layer, name: string, path: string): Float32Array {
  const t = [...layer.params(), ...layer.buffers()].find((p) => p.name === name);
  if (!t) throw new TfjsExportError(`layer ${path} (${layer.type}) has no tensor "${name}"`);
  return t.value;
}

function signed(v: Float32Array, ctx: Ctx): Float32Array {
  return ctx.sign === 1 ? v : scaled(v, ctx.sign);
}

const pair = (v: number) => [v, v];

function convertLayer(layer: Layer, x: TfRef, ctx: Ctx, path: string): TfRef {
  const { g } = ctx;
  const out = layer.outputShape;
  const act = (activation: string) => g.add('Activation', 'activation', { activation }, [x], out);
  switch (layer.type) {
    case 'dense': {
      const c = layer.config as DenseConfig;
      const w: [string, number[], Float32Array][] = [['kernel', [x.shape[0], c.units], signed(tensorOf(layer, 'W', path), ctx)]];
      if (c.useBias) w.push(['bias', [c.units], signed(tensorOf(layer, 'b', path), ctx)]);
      return g.add('Dense', 'dense', { units: c.units, activation: 'linear', use_bias: c.useBias }, [x], out, w);
    }
    case 'conv2d': {
      const c = layer.config as Conv2dConfig;
      if (c.stride > 1 && c.dilation > 1) {
        throw new TfjsExportError(`layer ${path} (conv2d): TensorFlow.js cannot combine stride ${c.stride} with dilation ${c.dilation}`);
      }
      const k = convKernel(tensorOf(layer, 'W', path), [c.filters, x.shape[0], c.kernel, c.kernel]);
      const w: [string, number[], Float32Array][] = [['kernel', k.shape, signed(k.data, ctx)]];
      if (c.useBias) w.push(['bias', [c.filters], signed(tensorOf(layer, 'b', path), ctx)]);
      const config = {
        filters: c.filters,
        kernel_size: pair(c.kernel),
        strides: pair(c.stride),
        padding: c.padding,
        data_format: 'channels_last',
        dilation_rate: pair(c.dilation),
        activation: 'linear',
        use_bias: c.useBias,
      };
      return g.add('Conv2D', 'conv2d', config, [x], out, w);
    }
    case 'convTranspose2d':
      return convTranspose(layer, x, ctx, path);
    case 'maxPool2d':
    case 'avgPool2d': {
      const c = layer.config as PoolConfig;
      const [cls, base] = layer.type === 'maxPool2d' ? ['MaxPooling2D', 'max_pooling2d'] : ['AveragePooling2D', 'average_pooling2d'];
      const config = { pool_size: pair(c.size), strides: pair(c.stride), padding: c.padding, data_format: 'channels_last' };
      return g.add(cls, base, config, [x], out);
    }
    case 'flatten':
    case 'reshape':
      return reshapeTo(x, out, g);
    case 'batchNorm': {
      const c = layer.config as BatchNormConfig;
      const config = { axis: -1, momentum: c.momentum, epsilon: c.epsilon, center: true, scale: true };
      const ch = [out[0]];
      return g.add('BatchNormalization', 'batch_normalization', config, [x], out, [
        ['gamma', ch, tensorOf(layer, 'gamma', path)],
        ['beta', ch, tensorOf(layer, 'beta', path)],
        ['moving_mean', ch, tensorOf(layer, 'runningMean', path)],
        ['moving_variance', ch, tensorOf(layer, 'runningVar', path)],
      ]);
    }
    case 'dropout':
      return g.add('Dropout', 'dropout', { rate: (layer.config as DropoutConfig).rate }, [x], out);
    case 'relu':
    case 'sigmoid':
    case 'tanh':
      return act(layer.type);
    case 'leakyRelu':
      return g.add('LeakyReLU', 'leaky_re_lu', { alpha: (layer.config as LeakyReluConfig).alpha }, [x], out);
    case 'softmax':
      return softmaxLastAxis(x, g);
    case 'conv1d':
      return conv1d(layer, x, ctx, path);
    case 'simpleRnn':
    case 'lstm': {
      // Both keep Keras's weight layout: Wx [features, gates·units] (LSTM gates i, f, g, o = Keras's i, f, c, o),
      // Wh [units, gates·units], b [gates·units].
      const c = layer.config as RecurrentConfig;
      const [cls, base] = layer.type === 'lstm' ? ['LSTM', 'lstm'] : ['SimpleRNN', 'simple_rnn'];
      const config: Record<string, unknown> = { units: c.units, activation: 'tanh', use_bias: true, return_sequences: c.returnSequences };
      if (layer.type === 'lstm') config.recurrent_activation = 'sigmoid';
      const gu = (layer.type === 'lstm' ? 4 : 1) * c.units;
      return g.add(cls, base, config, [x], out, [
        ['kernel', [x.shape[1], gu], signed(tensorOf(layer, 'Wx', path), ctx)],
        ['recurrent_kernel', [c.units, gu], signed(tensorOf(layer, 'Wh', path), ctx)],
        ['bias', [gu], signed(tensorOf(layer, 'b', path), ctx)],
      ]);
    }
    case 'gru':
      throw new TfjsExportError(
        `layer ${path} (gru): Locus's GRU applies the reset gate after the recurrent projection (reset_after), which TensorFlow.js's GRU does not support`,
      );
    case 'residual':
      return residual(layer, x, ctx, path);
    case 'gate':
      return gate(layer, x, ctx, path);
    default:
      throw new TfjsExportError(`layer ${path} (${layer.type}) has no TensorFlow.js layers equivalent`);
  }
}

/**
 * Softmax over Locus's last axis. For an image that is W of [C, H, W], axis 2 of the NHWC tensor, and
 * TensorFlow.js's softmax only runs over the last axis: swap W and C around it.
 */
export function softmaxLastAxis(x: TfRef, g: TfjsGraph): TfRef {
  if (x.shape.length !== 3) return g.add('Activation', 'activation', { activation: 'softmax' }, [x], x.shape);
  const swapped = g.add('Permute', 'permute', { dims: [1, 3, 2] }, [x], x.shape);
  const s = g.add('Activation', 'activation', { activation: 'softmax' }, [swapped], x.shape);
  return g.add('Permute', 'permute', { dims: [1, 3, 2] }, [s], x.shape);
}

/** Flatten or reshape with Locus's row-major [C, H, W] order. */
export function reshapeTo(x: TfRef, out: readonly number[], g: TfjsGraph): TfRef {
  if (shapeEq(x.shape, out)) return x;
  // Keras holds an image as [H, W, C]: Permute it to [C, H, W] first so the values are read in Locus's order.
  const h = x.shape.length === 3 ? g.add('Permute', 'permute', { dims: [3, 1, 2] }, [x], x.shape) : x;
  if (out.length === 1) return g.add('Flatten', 'flatten', {}, [h], out);
  const r = g.add('Reshape', 'reshape', { target_shape: [...out] }, [h], out);
  // An image result is [C, H, W] in Keras's axes now: back to [H, W, C].
  return out.length === 3 ? g.add('Permute', 'permute', { dims: [2, 3, 1] }, [r], out) : r;
}

function convTranspose(layer: Layer, x: TfRef, ctx: Ctx, path: string): TfRef {
  const c = layer.config as ConvTranspose2dConfig;
  const { g } = ctx;
  const out = layer.outputShape;
  const cin = x.shape[0];
  const k = convTransposeKernel(tensorOf(layer, 'W', path), [cin, c.filters, c.kernel, c.kernel]);
  const w: [string, number[], Float32Array][] = [['kernel', k.shape, signed(k.data, ctx)]];
  if (c.useBias) w.push(['bias', [c.filters], signed(tensorOf(layer, 'b', path), ctx)]);
  const config = (padding: string) => ({
    filters: c.filters,
    kernel_size: pair(c.kernel),
    strides: pair(c.stride),
    padding,
    data_format: 'channels_last',
    activation: 'linear',
    use_bias: c.useBias,
  });
  const { kernel: kk, stride: s, padding, outputPadding: op } = c;
  if (op === 0 && kk >= s) return g.add('Conv2DTranspose', 'conv2d_transpose', config(padding), [x], out, w);
  // Keras 'valid' makes in·s + max(k − s, 0) rows per axis; Locus's are a window of those starting at
  // the top padding of its 'same' rule (0 for 'valid').
  const total = padding === 'valid' ? 0 : Math.max(kk - s, 0);
  const top = Math.floor(total / 2);
  const crop = (inSize: number, outSize: number) => {
    const full = inSize * s + Math.max(kk - s, 0);
    const after = full - top - outSize;
    if (after < 0) {
      throw new TfjsExportError(
        `layer ${path} (convTranspose2d): outputPadding ${op} with kernel ${kk}, stride ${s} and '${padding}' padding makes rows Keras's Conv2DTranspose cannot produce`,
      );
    }
    return [top, after];
  };
  const cropping = [crop(x.shape[1], out[1]), crop(x.shape[2], out[2])];
  const full = [c.filters, x.shape[1] * s + Math.max(kk - s, 0), x.shape[2] * s + Math.max(kk - s, 0)];
  const h = g.add('Conv2DTranspose', 'conv2d_transpose', config('valid'), [x], full, w);
  if (cropping.every(([a, b]) => a === 0 && b === 0)) return h;
  return g.add('Cropping2D', 'cropping2d', { cropping, data_format: 'channels_last' }, [h], out);
}

/** conv1d: Conv1D (W [kernel·features, units] is already Keras's [kernel, features, units]); mean over time when not returning sequences. */
function conv1d(layer: Layer, x: TfRef, ctx: Ctx, path: string): TfRef {
  const c = layer.config as Conv1dConfig;
  if (c.stride > 1 && c.dilation > 1) {
    throw new TfjsExportError(`layer ${path} (conv1d): TensorFlow.js cannot combine stride ${c.stride} with dilation ${c.dilation}`);
  }
  const w: [string, number[], Float32Array][] = [['kernel', [c.kernel, x.shape[1], c.units], signed(tensorOf(layer, 'W', path), ctx)]];
  if (c.useBias) w.push(['bias', [c.units], signed(tensorOf(layer, 'b', path), ctx)]);
  const config = { filters: c.units, kernel_size: [c.kernel], strides: [c.stride], padding: c.padding, dilation_rate: [c.dilation], activation: 'linear', use_bias: c.useBias };
  const y = ctx.g.add('Conv1D', 'conv1d', config, [x], [conv1dGeometry(x.shape[0], c).steps, c.units], w);
  return c.returnSequences ? y : ctx.g.add('GlobalAveragePooling1D', 'global_average_pooling1d', {}, [y], layer.outputShape);
}

function residual(layer: Layer, x: TfRef, ctx: Ctx, path: string): TfRef {
  const c = layer.config as { body: unknown[] };
  const kids = layer.children?.() ?? [];
  const body = convertChain(kids.slice(0, c.body.length), x, ctx, `${path}.`);
  const shortcut = convertChain(kids.slice(c.body.length), x, ctx, `${path}.`);
  return ctx.g.add('Add', 'add', {}, [body, shortcut], layer.outputShape);
}

function gate(layer: Layer, x: TfRef, ctx: Ctx, path: string): TfRef {
  const c = layer.config as GateConfig;
  const { g } = ctx;
  const kids = layer.children?.() ?? [];
  const na = c.a.length;
  const nb = c.b.length;
  const nh = c.gate.length;
  const p = `${path}.`;
  const a = convertChain(kids.slice(0, na), x, ctx, p);
  const b = convertChain(kids.slice(na, na + nb), x, ctx, p);
  const hidden = convertChain(kids.slice(na + nb, na + nb + nh), x, ctx, p);
  const proj = kids.slice(na + nb + nh);
  const z = convertChain(proj, hidden, ctx, p);
  const zNeg = convertChain(proj, hidden, { ...ctx, sign: -ctx.sign }, p);
  const out = layer.outputShape;
  const gOn = g.add('Activation', 'activation', { activation: 'sigmoid' }, [z], out);
  const gOff = g.add('Activation', 'activation', { activation: 'sigmoid' }, [zNeg], out);
  const ga = g.add('Multiply', 'multiply', {}, [gOn, a], out);
  const gb = g.add('Multiply', 'multiply', {}, [gOff, b], out);
  return g.add('Add', 'add', {}, [ga, gb], out);
}
