/**
 * Locus layers as PyTorch modules: for every layer, the Python expression that builds its module in the
 * exported model.py, and the rules that move its tensors between Locus's names and layouts and
 * PyTorch's state_dict names and layouts (both ways: export and import).
 *
 * Module paths are Locus's layer paths: layer 3 of the network is module "3", and the first body
 * layer of a residual block at position 3 is module "3.0" (composite layers list their children in
 * Locus's order, so "3.0.W" in the model file is "3.0.weight" in PyTorch).
 *
 * Layouts that differ:
 *  - dense: Locus W [in, units], nn.Linear weight [units, in];
 *  - conv1d: Locus W [kernel·features, units] (row k·F + f), nn.Conv1d weight [units, features, kernel];
 *  - simpleRnn, lstm, gru: Locus Wx [features, G·units] and Wh [units, G·units] are PyTorch's
 *    weight_ih_l0 and weight_hh_l0 transposed (same gate order). Locus has one bias b; PyTorch has
 *    bias_ih_l0 (= b) and bias_hh_l0 (zero, except the GRU's new-gate part, which is Locus's bh).
 *    On import the two PyTorch biases are added back into one.
 * conv2d, convTranspose2d and the batchNorm tensors have the same layout in both.
 */
import { padAmounts, transposedWindow } from '../../kernels/geometry.js';
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
  ResidualConfig,
} from '../../layers/index.js';
import { conv1dGeometry, type Conv1dConfig } from '../../layers/conv1d.js';
import type { RecurrentConfig } from '../../layers/recurrent.js';

/** A layer (or option) the export cannot express; the message names the layer. */
export class PytorchExportError extends Error {
  override readonly name = 'PytorchExportError';
}

/** One PyTorch tensor of a rule. */
export interface TorchTensor {
  name: string;
  shape: number[];
}

/**
 * How some Locus tensors of one layer become PyTorch tensors and back. `locus` and `torch` list full
 * names ("3.0.W", "3.0.weight"); the functions take and return values in those orders.
 */
export interface TensorRule {
  locus: string[];
  torch: TorchTensor[];
  toTorch(values: Float32Array[]): Float32Array[];
  toLocus(values: Float32Array[]): Float32Array[];
}

/** The modules of a chain of layers: Python expressions (one per layer) and the tensor rules. */
export interface ChainCode {
  modules: string[];
  rules: TensorRule[];
}

const same = (locus: string, torch: string, shape: readonly number[]): TensorRule => ({
  locus: [locus],
  torch: [{ name: torch, shape: [...shape] }],
  toTorch: (v) => [v[0]],
  toLocus: (v) => [v[0]],
});

/** A row-major [rows, cols] matrix transposed. */
export function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
  return out;
}

const transposed = (locus: string, torch: string, rows: number, cols: number): TensorRule => ({
  locus: [locus],
  torch: [{ name: torch, shape: [cols, rows] }],
  toTorch: (v) => [transpose(v[0], rows, cols)],
  toLocus: (v) => [transpose(v[0], cols, rows)],
});

const py = (v: number | boolean): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : Number.isInteger(v) ? String(v) : pyFloat(v));

/** A float as Python source that reads back to the same double. */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) throw new PytorchExportError(`cannot write the number ${v} into model.py`);
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

const tuple = (xs: readonly number[]): string => `(${xs.map(py).join(', ')}${xs.length === 1 ? ',' : ''})`;

/** F.pad's (left, right, top, bottom) for an image layer's 'same'/'valid' padding. */
function pads2d(padding: 'same' | 'valid', h: number, w: number, kernel: number, stride: number, dilation = 1): number[] {
  const [top, bottom] = padAmounts(padding, h, kernel, stride, dilation);
  const [left, right] = padAmounts(padding, w, kernel, stride, dilation);
  return [left, right, top, bottom];
}

/** The modules and tensor rules of a chain of layers; `prefix` is the chain's path ("" or "3."). */
export function chainCode(layers: readonly Layer[], prefix = '', indent = '        '): ChainCode {
  const modules: string[] = [];
  const rules: TensorRule[] = [];
  layers.forEach((l, i) => {
    const c = layerCode(l, `${prefix}${i}`, indent);
    modules.push(c.module);
    rules.push(...c.rules);
  });
  return { modules, rules };
}

function list(items: readonly string[], indent: string): string {
  if (items.length === 0) return '[]';
  const inner = indent + '    ';
  return `[\n${items.map((m) => `${inner}${m},`).join('\n')}\n${indent}]`;
}

function layerCode(layer: Layer, path: string, indent: string): { module: string; rules: TensorRule[] } {
  const x = layer.inputShape;
  const out = layer.outputShape;
  const p = (n: string) => `${path}.${n}`;
  switch (layer.type) {
    case 'dense': {
      const c = layer.config as DenseConfig;
      if (x.length !== 1) throw new PytorchExportError(`layer ${path} (dense) takes ${x.length}-axis inputs; only flat inputs are supported`);
      const rules = [transposed(p('W'), p('weight'), x[0], c.units)];
      if (c.useBias) rules.push(same(p('b'), p('bias'), [c.units]));
      return { module: `nn.Linear(${x[0]}, ${c.units}, bias=${py(c.useBias)})`, rules };
    }
    case 'conv2d': {
      const c = layer.config as Conv2dConfig;
      const pad = pads2d(c.padding, x[1], x[2], c.kernel, c.stride, c.dilation);
      const rules = [same(p('W'), p('weight'), [c.filters, x[0], c.kernel, c.kernel])];
      if (c.useBias) rules.push(same(p('b'), p('bias'), [c.filters]));
      return {
        module: `Conv2d(${x[0]}, ${c.filters}, kernel=${c.kernel}, stride=${c.stride}, dilation=${c.dilation}, pad=${tuple(pad)}, bias=${py(c.useBias)})`,
        rules,
      };
    }
    case 'convTranspose2d': {
      const c = layer.config as ConvTranspose2dConfig;
      const g = transposedWindow(c.filters, x[1], x[2], c.kernel, c.stride, c.padding, c.outputPadding);
      // The geometry is that of the matching convolution, so its height and width are this layer's
      // output. F.conv_transpose2d without padding makes (in - 1)·stride + kernel rows; Locus's rows
      // start at padTop of those (past the end: bias only). F.pad crops with negative amounts.
      const full = (n: number) => (n - 1) * c.stride + c.kernel;
      const crop = [-g.padLeft, g.width + g.padLeft - full(x[2]), -g.padTop, g.height + g.padTop - full(x[1])];
      const rules = [same(p('W'), p('weight'), [x[0], c.filters, c.kernel, c.kernel])];
      if (c.useBias) rules.push(same(p('b'), p('bias'), [c.filters]));
      return {
        module: `ConvTranspose2d(${x[0]}, ${c.filters}, kernel=${c.kernel}, stride=${c.stride}, crop=${tuple(crop)}, bias=${py(c.useBias)})`,
        rules,
      };
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const c = layer.config as PoolConfig;
      const pad = pads2d(c.padding, x[1], x[2], c.size, c.stride);
      const cls = layer.type === 'maxPool2d' ? 'MaxPool2d' : 'AvgPool2d';
      return { module: `${cls}(size=${c.size}, stride=${c.stride}, pad=${tuple(pad)})`, rules: [] };
    }
    case 'flatten':
      return { module: 'nn.Flatten()', rules: [] };
    case 'reshape':
      return { module: `Reshape(${tuple(out)})`, rules: [] };
    case 'batchNorm': {
      const c = layer.config as BatchNormConfig;
      if (x.length !== 1 && x.length !== 3) throw new PytorchExportError(`layer ${path} (batchNorm) on ${x.length}-axis inputs is not supported`);
      const n = x[0];
      const cls = x.length === 3 ? 'nn.BatchNorm2d' : 'nn.BatchNorm1d';
      // Locus: running = momentum·running + (1 − momentum)·batch; PyTorch's momentum is the batch's share.
      const module = `${cls}(${n}, eps=${pyFloat(c.epsilon)}, momentum=${pyFloat(1 - c.momentum)})`;
      return {
        module,
        rules: [
          same(p('gamma'), p('weight'), [n]),
          same(p('beta'), p('bias'), [n]),
          same(p('runningMean'), p('running_mean'), [n]),
          same(p('runningVar'), p('running_var'), [n]),
        ],
      };
    }
    case 'dropout':
      return { module: `nn.Dropout(${pyFloat((layer.config as DropoutConfig).rate)})`, rules: [] };
    case 'relu':
      return { module: 'nn.ReLU()', rules: [] };
    case 'sigmoid':
      return { module: 'nn.Sigmoid()', rules: [] };
    case 'tanh':
      return { module: 'nn.Tanh()', rules: [] };
    case 'leakyRelu':
      return { module: `nn.LeakyReLU(${pyFloat((layer.config as LeakyReluConfig).alpha)})`, rules: [] };
    case 'softmax':
      return { module: 'nn.Softmax(dim=-1)', rules: [] };
    case 'residual': {
      const c = layer.config as ResidualConfig;
      const kids = layer.children?.() ?? [];
      const inner = indent + '    ';
      const body = chainCode(kids.slice(0, c.body.length), `${path}.`, inner);
      const sc = chainCode(kids.slice(c.body.length), `${path}.`, inner);
      // Children are numbered on through the shortcut: fix their paths (chainCode counts from 0).
      const scRules = renumber(sc.rules, path, c.body.length);
      return {
        module: `Residual(\n${inner}body=${list(body.modules, inner)},\n${inner}shortcut=${list(sc.modules, inner)},\n${indent})`,
        rules: [...body.rules, ...scRules],
      };
    }
    case 'gate': {
      const c = layer.config as GateConfig;
      const kids = layer.children?.() ?? [];
      const na = c.a.length;
      const nb = c.b.length;
      const nh = c.gate.length;
      const inner = indent + '    ';
      const part = (from: number, to: number) => {
        const cc = chainCode(kids.slice(from, to), `${path}.`, inner);
        return { modules: cc.modules, rules: renumber(cc.rules, path, from) };
      };
      const a = part(0, na);
      const b = part(na, na + nb);
      const h = part(na + nb, na + nb + nh);
      const proj = part(na + nb + nh, kids.length);
      return {
        module:
          `Gate(\n${inner}a=${list(a.modules, inner)},\n${inner}b=${list(b.modules, inner)},\n` +
          `${inner}gate=${list(h.modules, inner)},\n${inner}projection=${list(proj.modules, inner)},\n${indent})`,
        rules: [...a.rules, ...b.rules, ...h.rules, ...proj.rules],
      };
    }
    case 'conv1d': {
      const c = layer.config as Conv1dConfig;
      const [time, f] = x;
      const { steps, padBefore } = conv1dGeometry(time, c);
      const span = (c.kernel - 1) * c.dilation + 1;
      const padAfter = c.padding === 'same' ? Math.max(0, (steps - 1) * c.stride + span - time) - padBefore : 0;
      const k = c.kernel;
      const rules: TensorRule[] = [
        {
          locus: [p('W')],
          torch: [{ name: p('weight'), shape: [c.units, f, k] }],
          // Locus row j·F + f, column u  <->  PyTorch [u, f, j].
          toTorch: ([w]) => {
            const o = new Float32Array(w.length);
            for (let j = 0; j < k; j++) for (let q = 0; q < f; q++) for (let u = 0; u < c.units; u++) o[(u * f + q) * k + j] = w[(j * f + q) * c.units + u];
            return [o];
          },
          toLocus: ([w]) => {
            const o = new Float32Array(w.length);
            for (let j = 0; j < k; j++) for (let q = 0; q < f; q++) for (let u = 0; u < c.units; u++) o[(j * f + q) * c.units + u] = w[(u * f + q) * k + j];
            return [o];
          },
        },
      ];
      if (c.useBias) rules.push(same(p('b'), p('bias'), [c.units]));
      return {
        module: `TimeDelay(${f}, ${c.units}, kernel=${k}, stride=${c.stride}, dilation=${c.dilation}, pad=${tuple([padBefore, padAfter])}, return_sequences=${py(c.returnSequences)}, bias=${py(c.useBias)})`,
        rules,
      };
    }
    case 'simpleRnn':
    case 'lstm':
    case 'gru': {
      const c = layer.config as RecurrentConfig;
      const f = x[1];
      const u = c.units;
      const gates = layer.type === 'lstm' ? 4 : layer.type === 'gru' ? 3 : 1;
      const gu = gates * u;
      const cls = layer.type === 'lstm' ? 'LSTM' : layer.type === 'gru' ? 'GRU' : 'RNN';
      const rules: TensorRule[] = [transposed(p('Wx'), p('weight_ih_l0'), f, gu), transposed(p('Wh'), p('weight_hh_l0'), u, gu)];
      if (layer.type === 'gru') {
        rules.push({
          locus: [p('b'), p('bh')],
          torch: [
            { name: p('bias_ih_l0'), shape: [gu] },
            { name: p('bias_hh_l0'), shape: [gu] },
          ],
          toTorch: ([b, bh]) => {
            const hh = new Float32Array(gu);
            hh.set(bh, 2 * u);
            return [b, hh];
          },
          // r and z see bias_ih + bias_hh; the new gate's recurrent bias sits inside r ⊙ (·), Locus's bh.
          toLocus: ([ih, hh]) => {
            const b = new Float32Array(ih);
            for (let i = 0; i < 2 * u; i++) b[i] += hh[i];
            return [b, hh.slice(2 * u)];
          },
        });
      } else {
        rules.push({
          locus: [p('b')],
          torch: [
            { name: p('bias_ih_l0'), shape: [gu] },
            { name: p('bias_hh_l0'), shape: [gu] },
          ],
          toTorch: ([b]) => [b, new Float32Array(gu)],
          toLocus: ([ih, hh]) => [ih.map((v, i) => v + hh[i])],
        });
      }
      return { module: `${cls}(${f}, ${u}, return_sequences=${py(c.returnSequences)})`, rules };
    }
    default:
      throw new PytorchExportError(`layer ${path} (${layer.type}) has no PyTorch equivalent in the export`);
  }
}

/** Rules of a chain built with paths "P.0", "P.1"...: shift those child indices by `offset`. */
function renumber(rules: TensorRule[], path: string, offset: number): TensorRule[] {
  if (offset === 0) return rules;
  const head = `${path}.`;
  const fix = (name: string) => {
    const rest = name.slice(head.length);
    const dot = rest.indexOf('.');
    return `${head}${Number(rest.slice(0, dot)) + offset}${rest.slice(dot)}`;
  };
  return rules.map((r) => ({ ...r, locus: r.locus.map(fix), torch: r.torch.map((t) => ({ ...t, name: fix(t.name) })) }));
}
