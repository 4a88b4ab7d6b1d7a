/**
 * The layer specs that classifier presets are made of: hidden dense units, convolutions with optional
 * BatchNorm, VGG-style conv-conv-pool blocks, residual blocks (identity or projection shortcut) and
 * highway (gate) blocks. Pure functions from options to JSON specs; nothing here builds layers.
 */
import type { InitName } from '../layers/init.js';
import type { LayerSpec } from '../layers/layer.js';

export type Activation = 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'leakyRelu', 'sigmoid', 'tanh'];

/** What every hidden layer of a preset shares. */
export interface HiddenStyle {
  activation: Activation;
  init: InitName;
  biasInit: number;
  batchNorm: boolean;
  dropout: number;
}

export function act(a: Activation): LayerSpec {
  return a === 'leakyRelu' ? { type: 'leakyRelu', alpha: 0.01 } : { type: a };
}

/** He for ReLU-like units, Glorot for saturating ones. */
export function defaultInit(a: Activation): InitName {
  return a === 'relu' || a === 'leakyRelu' ? 'he' : 'glorot';
}

/** dense → [batchNorm] → activation → [dropout]. */
export function hiddenDense(units: number, s: HiddenStyle): LayerSpec[] {
  const out: LayerSpec[] = [{ type: 'dense', units, init: s.init, ...bias(s) }];
  if (s.batchNorm) out.push({ type: 'batchNorm' });
  out.push(act(s.activation));
  if (s.dropout) out.push({ type: 'dropout', rate: s.dropout });
  return out;
}

/** conv 3x3 (or `kernel`) → [batchNorm], without the activation. */
export function conv(filters: number, s: HiddenStyle, stride = 1, kernel = 3): LayerSpec[] {
  const out: LayerSpec[] = [{ type: 'conv2d', filters, kernel, stride, padding: 'same', init: s.init, ...bias(s) }];
  if (s.batchNorm) out.push({ type: 'batchNorm' });
  return out;
}

/** VGG block: (conv → [bn] → act) × convs, then 2x2 max pooling. */
export function vggBlock(filters: number, convs: number, s: HiddenStyle): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let i = 0; i < convs; i++) out.push(...conv(filters, s), act(s.activation));
  out.push({ type: 'maxPool2d', size: 2, stride: 2 });
  return out;
}

/**
 * Residual block: y = act(body(x) + shortcut(x)), body = conv(stride) → [bn] → act → conv → [bn].
 * When the stride or the channel count changes, the shortcut is a 1x1 conv with the same stride and
 * filters (a projection); otherwise it is the identity.
 */
export function residualBlock(inChannels: number, filters: number, stride: number, s: HiddenStyle): LayerSpec[] {
  const body = [...conv(filters, s, stride), act(s.activation), ...conv(filters, s)];
  const shortcut = stride !== 1 || inChannels !== filters ? conv(filters, { ...s, biasInit: 0 }, stride, 1) : [];
  return [{ type: 'residual', body, shortcut }, act(s.activation)];
}

/** Highway block: y = g·act(conv(x)) + (1 − g)·x, g = sigmoid(1x1 conv(x)), gate bias −2 (mostly carry at first). */
export function highwayBlock(filters: number, s: HiddenStyle): LayerSpec {
  return { type: 'gate', a: [...conv(filters, s), act(s.activation)], b: [], gate: [], gateBias: -2 };
}

function bias(s: HiddenStyle): { biasInit?: number } {
  return s.biasInit ? { biasInit: s.biasInit } : {};
}
