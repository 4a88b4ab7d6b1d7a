/**
 * What the first layers of the current model see: the first convolution's kernels (or, for an MLP,
 * the first dense layer's weights drawn as images) and the feature maps one image makes there
 * (after the activation that follows, if any), plus the class probabilities.
 */
import { Rng } from '../../core/rng.js';
import { tensor, type Tensor } from '../../core/tensor.js';
import { normalizeInto } from '../../data/normalize.js';
import { LabError, type FloatImages, type Inspection } from '../../protocol/contract.js';
import { softmaxRow } from '../../session/evaluate.js';
import { workspace } from '../workspace.js';
import { modelStore, type CurrentModel } from './models-store.js';

const ACTIVATIONS = new Set(['relu', 'leakyRelu', 'sigmoid', 'tanh']);
/** At most this many filters / maps / units are sent. */
export const MAX_SHOWN = 64;

export function inspectImage(index: number): Inspection {
  const data = workspace.data;
  if (!data) throw new LabError({ message: 'no folder is loaded', code: 'unavailable' });
  const m = modelStore.get();
  if (!m) throw new LabError({ message: 'there is no model yet: train or import one', code: 'unavailable' });
  const { set } = data.result;
  if (index >= set.n) throw new LabError({ message: `image ${index} is not in the folder (${set.n} images)`, code: 'invalid' });
  const { channels, height, width } = m.input;
  if (channels !== set.channels || height !== set.height || width !== set.width) {
    throw new LabError({ message: `the model takes ${channels}x${height}x${width} images; the folder is loaded as ${set.channels}x${set.height}x${set.width}`, code: 'invalid' });
  }
  const per = channels * height * width;
  const pixels = set.pixels.slice(index * per, (index + 1) * per);
  const x = tensor([1, channels, height, width]);
  normalizeInto(pixels, 0, 1, channels, height * width, m.normalization, x.data);
  const { maps, mapsLayer, logits } = forwardMaps(m, x);
  const k = logits.data.length;
  const root = data.result.root.replace(/[\\/]+$/, '');
  const path = set.paths[index] ?? '';
  return {
    image: { channels, height, width, pixels, label: set.labels[index], name: path.startsWith(root) ? path.slice(root.length + 1) : path },
    filters: firstFilters(m),
    mapsLayer,
    maps,
    probabilities: softmaxRow(logits.data, 0, k),
  };
}

function forwardMaps(m: CurrentModel, x: Tensor): { maps: FloatImages | null; mapsLayer: string | null; logits: Tensor } {
  const ctx = { training: false, rng: new Rng(0) };
  const layers = m.model.layers;
  const convAt = layers.findIndex((l) => l.type === 'conv2d');
  let h = x;
  let maps: FloatImages | null = null;
  let mapsLayer: string | null = null;
  for (let i = 0; i < layers.length; i++) {
    h = layers[i].forward(h, ctx).y;
    const take = convAt >= 0 && (i === convAt + 1 ? ACTIVATIONS.has(layers[i].type) : i === convAt && !ACTIVATIONS.has(layers[i + 1]?.type ?? ''));
    if (take && h.shape.length === 4) {
      const [, c, hh, ww] = h.shape;
      const n = Math.min(c, MAX_SHOWN);
      maps = { count: n, channels: 1, height: hh, width: ww, data: h.data.slice(0, n * hh * ww) };
      mapsLayer = `${i + 1} ${layers[i].type}`;
    }
  }
  return { maps, mapsLayer, logits: h };
}

function firstFilters(m: CurrentModel): FloatImages | null {
  const layers = m.model.layers;
  const conv = layers.find((l) => l.type === 'conv2d');
  if (conv) {
    const w = conv.params()[0];
    const [f, c, k1, k2] = w.shape;
    const n = Math.min(f, MAX_SHOWN);
    return { count: n, channels: c, height: k1, width: k2, data: w.value.slice(0, n * c * k1 * k2) };
  }
  const dense = layers.find((l) => l.type === 'dense');
  const { channels, height, width } = m.input;
  if (!dense || dense.inputShape.reduce((a, b) => a * b, 1) !== channels * height * width) return null;
  // Dense W is [in, units]: unit j's weights are column j, drawn as an image of the input's shape.
  const w = dense.params()[0];
  const [inN, units] = w.shape;
  const n = Math.min(units, MAX_SHOWN);
  const data = new Float32Array(n * inN);
  for (let j = 0; j < n; j++) for (let i = 0; i < inN; i++) data[j * inN + i] = w.value[i * units + j];
  return { count: n, channels, height, width, data };
}
