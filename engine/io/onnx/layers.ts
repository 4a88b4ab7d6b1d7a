/**
 * Locus layers as ONNX operators (opset 17). ONNX computes on NCHW as Locus does, so images need no
 * permutation; initializers keep Locus's tensor names ("3.0.W"), and nodes are named by layer path.
 *  - dense: Gemm (W is already [in, units]); conv2d: Conv with explicit (asymmetric) pads;
 *  - convTranspose2d: ConvTranspose without padding, then Pad with negative amounts to crop Locus's
 *    window (positive ones add rows), then the bias, so rows added by outputPadding hold the bias alone;
 *  - pools: MaxPool / AveragePool (count_include_pad 0) with Locus's pads;
 *  - batchNorm: BatchNormalization with the running statistics; dropout is the identity;
 *  - residual: Add; gate: y = b + sigmoid(z)·(a − b), Locus's own formula;
 *  - conv1d: Transpose to [N, F, T], a 1-D Conv, back (or ReduceMean over time);
 *  - simpleRnn, lstm, gru: RNN, LSTM, GRU on [T, N, F] with the gates reordered to ONNX's (LSTM i, o,
 *    f, c; GRU z, r, h with linear_before_reset = 1, which is Locus's and PyTorch's GRU).
 */
import { padAmounts, transposedWindow } from '../../kernels/geometry.js';
import type {
  BatchNormConfig,
  Conv2dConfig,
  ConvTranspose2dConfig,
  DenseConfig,
  GateConfig,
  Layer,
  LeakyReluConfig,
  PoolConfig,
  ResidualConfig,
} from '../../layers/index.js';
import { conv1dGeometry, type Conv1dConfig } from '../../layers/conv1d.js';
import type { RecurrentConfig } from '../../layers/recurrent.js';
import { floatTensor, int64Tensor, type AttrValue, type Bytes, type NodeSpec } from './proto.js';

export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

/** Nodes and initializers as they are added; values are named by the layer path that makes them. */
export class OnnxGraph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Bytes[] = [];
  readonly #names = new Set<string>();
  #count = 0;

  #fresh(base: string): string {
    let name = base;
    while (this.#names.has(name)) name = `${base}_${++this.#count}`;
    this.#names.add(name);
    return name;
  }

  /** A float initializer; returns its name. */
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    const n = this.#fresh(name);
    this.initializers.push(floatTensor(n, dims, values));
    return n;
  }

  /** An int64 initializer (shapes, axes, pads). */
  ints(name: string, values: readonly number[]): string {
    const n = this.#fresh(name);
    this.initializers.push(int64Tensor(n, values));
    return n;
  }

  /** Add a node; returns the name of its (first) output. */
  op(op: string, inputs: readonly string[], path: string, attrs?: Record<string, AttrValue>, outputs = 1): string {
    const outs = Array.from({ length: outputs }, (_, i) => this.#fresh(`${path}/${op}${i ? `:${i}` : ''}`));
    this.nodes.push({ op, inputs, outputs: outs, name: this.#fresh(`node ${path} ${op}`), ...(attrs ? { attrs } : {}) });
    return outs[0];
  }
}

function tensorOf(layer: Layer, name: string, path: string): Float32Array {
  const t = [...layer.params(), ...layer.buffers()].find((p) => p.name === name);
  if (!t) throw new OnnxExportError(`layer ${path} (${layer.type}) has no tensor "${name}"`);
  return t.value;
}

/** Run a chain of Locus layers on value x. */
export function convertChain(layers: readonly Layer[], x: string, g: OnnxGraph, prefix = ''): string {
  let h = x;
  layers.forEach((l, i) => {
    h = convertLayer(l, h, g, `${prefix}${i}`);
  });
  return h;
}

/** ONNX pads of an image layer: [top, left, bottom, right]. */
function pads2d(padding: 'same' | 'valid', h: number, w: number, kernel: number, stride: number, dilation = 1): number[] {
  const [top, bottom] = padAmounts(padding, h, kernel, stride, dilation);
  const [left, right] = padAmounts(padding, w, kernel, stride, dilation);
  return [top, left, bottom, right];
}

/** Rows of gate blocks: reorder a [G·units, ...] or [..., G·units] tensor's gate blocks. */
function reorderGates(v: Float32Array, rows: number, units: number, order: readonly number[], gatesOnRows: boolean, cols = 1): Float32Array {
  const out = new Float32Array(v.length);
  if (gatesOnRows) {
    // [G·units, cols]: block k of the output is block order[k] of the input.
    order.forEach((src, k) => out.set(v.subarray(src * units * cols, (src + 1) * units * cols), k * units * cols));
    return out;
  }
  // [rows, G·units]
  const gu = order.length * units;
  for (let r = 0; r < rows; r++) order.forEach((src, k) => out.set(v.subarray(r * gu + src * units, r * gu + (src + 1) * units), r * gu + k * units));
  return out;
}

function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
  return out;
}

function convertLayer(layer: Layer, x: string, g: OnnxGraph, path: string): string {
  const inShape = layer.inputShape;
  const out = layer.outputShape;
  const p = (n: string) => `${path}.${n}`;
  switch (layer.type) {
    case 'dense': {
      const c = layer.config as DenseConfig;
      if (inShape.length !== 1) throw new OnnxExportError(`layer ${path} (dense) takes ${inShape.length}-axis inputs; only flat inputs are supported`);
      const w = g.weight(p('W'), [inShape[0], c.units], tensorOf(layer, 'W', path));
      const inputs = [x, w];
      if (c.useBias) inputs.push(g.weight(p('b'), [c.units], tensorOf(layer, 'b', path)));
      return g.op('Gemm', inputs, path);
    }
    case 'conv2d': {
      const c = layer.config as Conv2dConfig;
      const inputs = [x, g.weight(p('W'), [c.filters, inShape[0], c.kernel, c.kernel], tensorOf(layer, 'W', path))];
      if (c.useBias) inputs.push(g.weight(p('b'), [c.filters], tensorOf(layer, 'b', path)));
      return g.op('Conv', inputs, path, {
        kernel_shape: { ints: [c.kernel, c.kernel] },
        strides: { ints: [c.stride, c.stride] },
        dilations: { ints: [c.dilation, c.dilation] },
        pads: { ints: pads2d(c.padding, inShape[1], inShape[2], c.kernel, c.stride, c.dilation) },
      });
    }
    case 'convTranspose2d': {
      const c = layer.config as ConvTranspose2dConfig;
      // The geometry is the matching convolution's: its height and width are this layer's output.
      const geo = transposedWindow(c.filters, inShape[1], inShape[2], c.kernel, c.stride, c.padding, c.outputPadding);
      const full = (n: number) => (n - 1) * c.stride + c.kernel;
      const w = g.weight(p('W'), [inShape[0], c.filters, c.kernel, c.kernel], tensorOf(layer, 'W', path));
      let y = g.op('ConvTranspose', [x, w], path, { kernel_shape: { ints: [c.kernel, c.kernel] }, strides: { ints: [c.stride, c.stride] } });
      // Pad's order: begins of every axis, then ends (N, C, H, W); negative amounts crop.
      const pads = [0, 0, -geo.padTop, -geo.padLeft, 0, 0, geo.height + geo.padTop - full(inShape[1]), geo.width + geo.padLeft - full(inShape[2])];
      if (pads.some((v) => v !== 0)) y = g.op('Pad', [y, g.ints(`${path}.pads`, pads)], path);
      if (c.useBias) y = g.op('Add', [y, g.weight(p('b'), [c.filters, 1, 1], tensorOf(layer, 'b', path))], path);
      return y;
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const c = layer.config as PoolConfig;
      const attrs: Record<string, AttrValue> = {
        kernel_shape: { ints: [c.size, c.size] },
        strides: { ints: [c.stride, c.stride] },
        pads: { ints: pads2d(c.padding, inShape[1], inShape[2], c.size, c.stride) },
      };
      if (layer.type === 'avgPool2d') attrs.count_include_pad = { i: 0 };
      return g.op(layer.type === 'maxPool2d' ? 'MaxPool' : 'AveragePool', [x], path, attrs);
    }
    case 'flatten':
      return g.op('Flatten', [x], path, { axis: { i: 1 } });
    case 'reshape':
      return g.op('Reshape', [x, g.ints(`${path}.shape`, [-1, ...out])], path);
    case 'batchNorm': {
      const c = layer.config as BatchNormConfig;
      const n = inShape[0];
      if (inShape.length !== 1 && inShape.length !== 3) throw new OnnxExportError(`layer ${path} (batchNorm) on ${inShape.length}-axis inputs is not supported`);
      const t = (name: string) => g.weight(p(name), [n], tensorOf(layer, name, path));
      return g.op('BatchNormalization', [x, t('gamma'), t('beta'), t('runningMean'), t('runningVar')], path, { epsilon: { f: c.epsilon } });
    }
    case 'dropout':
      return x; // the identity at inference
    case 'relu':
      return g.op('Relu', [x], path);
    case 'sigmoid':
      return g.op('Sigmoid', [x], path);
    case 'tanh':
      return g.op('Tanh', [x], path);
    case 'leakyRelu':
      return g.op('LeakyRelu', [x], path, { alpha: { f: (layer.config as LeakyReluConfig).alpha } });
    case 'softmax':
      return g.op('Softmax', [x], path, { axis: { i: -1 } });
    case 'residual': {
      const c = layer.config as ResidualConfig;
      const kids = layer.children?.() ?? [];
      const body = convertChain(kids.slice(0, c.body.length), x, g, `${path}.`);
      const sc = convertChainFrom(kids.slice(c.body.length), x, g, path, c.body.length);
      return g.op('Add', [body, sc], path);
    }
    case 'gate': {
      const c = layer.config as GateConfig;
      const kids = layer.children?.() ?? [];
      const na = c.a.length;
      const nb = c.b.length;
      const a = convertChain(kids.slice(0, na), x, g, `${path}.`);
      const b = convertChainFrom(kids.slice(na, na + nb), x, g, path, na);
      const z = convertChainFrom(kids.slice(na + nb), x, g, path, na + nb);
      const gate = g.op('Sigmoid', [z], path);
      const diff = g.op('Sub', [a, b], path);
      return g.op('Add', [b, g.op('Mul', [gate, diff], path)], path);
    }
    case 'conv1d': {
      const c = layer.config as Conv1dConfig;
      const [time, f] = inShape;
      const { steps, padBefore } = conv1dGeometry(time, c);
      const span = (c.kernel - 1) * c.dilation + 1;
      const padAfter = c.padding === 'same' ? Math.max(0, (steps - 1) * c.stride + span - time) - padBefore : 0;
      // Locus W row j·F + q, column u  ->  ONNX [u, q, j].
      const wl = tensorOf(layer, 'W', path);
      const w = new Float32Array(wl.length);
      for (let j = 0; j < c.kernel; j++) for (let q = 0; q < f; q++) for (let u = 0; u < c.units; u++) w[(u * f + q) * c.kernel + j] = wl[(j * f + q) * c.units + u];
      const inputs = [g.op('Transpose', [x], path, { perm: { ints: [0, 2, 1] } }), g.weight(p('W'), [c.units, f, c.kernel], w)];
      if (c.useBias) inputs.push(g.weight(p('b'), [c.units], tensorOf(layer, 'b', path)));
      const y = g.op('Conv', inputs, path, {
        kernel_shape: { ints: [c.kernel] },
        strides: { ints: [c.stride] },
        dilations: { ints: [c.dilation] },
        pads: { ints: [padBefore, padAfter] },
      });
      return c.returnSequences ? g.op('Transpose', [y], path, { perm: { ints: [0, 2, 1] } }) : g.op('ReduceMean', [y], path, { axes: { ints: [2] }, keepdims: { i: 0 } });
    }
    case 'simpleRnn':
    case 'lstm':
    case 'gru': {
      const c = layer.config as RecurrentConfig;
      const f = inShape[1];
      const u = c.units;
      // Locus's gate blocks (PyTorch's order) -> ONNX's: LSTM i f g o -> i o f c; GRU r z n -> z r h.
      const order = layer.type === 'lstm' ? [0, 3, 1, 2] : layer.type === 'gru' ? [1, 0, 2] : [0];
      const gu = order.length * u;
      const wx = reorderGates(transpose(tensorOf(layer, 'Wx', path), f, gu), gu, u, order, true, f);
      const wh = reorderGates(transpose(tensorOf(layer, 'Wh', path), u, gu), gu, u, order, true, u);
      const bias = new Float32Array(2 * gu);
      bias.set(reorderGates(tensorOf(layer, 'b', path), 1, u, order, false));
      if (layer.type === 'gru') bias.set(tensorOf(layer, 'bh', path), gu + 2 * u); // the recurrent bias of h
      const op = layer.type === 'lstm' ? 'LSTM' : layer.type === 'gru' ? 'GRU' : 'RNN';
      const attrs: Record<string, AttrValue> = { hidden_size: { i: u } };
      if (layer.type === 'gru') attrs.linear_before_reset = { i: 1 };
      // RNN's default activation is Tanh, LSTM's and GRU's Sigmoid and Tanh: Locus's.
      const seq = g.op('Transpose', [x], path, { perm: { ints: [1, 0, 2] } });
      const inputs = [seq, g.weight(p('Wx'), [1, gu, f], wx), g.weight(p('Wh'), [1, gu, u], wh), g.weight(p('b'), [1, 2 * gu], bias)];
      const y = g.op(op, inputs, path, attrs, 2);
      if (!c.returnSequences) {
        const last = g.nodes[g.nodes.length - 1].outputs[1]; // Y_h [1, N, units]
        return g.op('Reshape', [last, g.ints(`${path}.shape`, [-1, u])], path);
      }
      // Y [T, 1, N, units] -> [N, T, units]
      const squeezed = g.op('Squeeze', [y, g.ints(`${path}.axes`, [1])], path);
      return g.op('Transpose', [squeezed], path, { perm: { ints: [1, 0, 2] } });
    }
    default:
      throw new OnnxExportError(`layer ${path} (${layer.type}) has no ONNX equivalent in the export`);
  }
}

/** A chain of composite children numbered from `offset` (a residual's shortcut, a gate's b and gate path). */
function convertChainFrom(layers: readonly Layer[], x: string, g: OnnxGraph, path: string, offset: number): string {
  let h = x;
  layers.forEach((l, i) => {
    h = convertLayer(l, h, g, `${path}.${offset + i}`);
  });
  return h;
}
