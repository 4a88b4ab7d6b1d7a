/**
 * Architecture presets, as JSON descriptions (the same form the model file stores). Each takes the
 * per-sample input shape [channels, height, width] of the loaded folder and the number of classes.
 */
import type { LayerSpec } from '../layers/layer.js';
import type { SequentialSpec } from './sequential.js';

export type PresetName = 'mlp' | 'lenet5';
export const PRESETS: readonly PresetName[] = ['mlp', 'lenet5'];

export interface PresetOptions {
  /** Hidden activation: relu (default), leakyRelu, sigmoid or tanh. */
  activation?: 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';
  /** Dropout rate on hidden dense units (0 = none). */
  dropout?: number;
}

function act(o: PresetOptions): LayerSpec {
  const a = o.activation ?? 'relu';
  return a === 'leakyRelu' ? { type: 'leakyRelu', alpha: 0.01 } : { type: a };
}

function init(o: PresetOptions): 'he' | 'glorot' {
  const a = o.activation ?? 'relu';
  return a === 'relu' || a === 'leakyRelu' ? 'he' : 'glorot';
}

function hidden(units: number, o: PresetOptions): LayerSpec[] {
  const out: LayerSpec[] = [{ type: 'dense', units, init: init(o) }, act(o)];
  if (o.dropout) out.push({ type: 'dropout', rate: o.dropout });
  return out;
}

export function presetSpec(
  name: string,
  input: readonly number[],
  classes: number,
  o: PresetOptions = {},
): SequentialSpec {
  if (input.length !== 3) throw new Error(`preset ${name}: input must be [channels, height, width]`);
  const [c, h, w] = input;
  switch (name) {
    case 'mlp':
      // 784-256-128-10 on 28x28 gray.
      return {
        input: [c, h, w],
        layers: [{ type: 'flatten' }, ...hidden(256, o), ...hidden(128, o), { type: 'dense', units: classes, init: 'glorot' }],
      };
    case 'lenet5': {
      // conv 5x5x6 (same), pool 2, conv 5x5x16 (valid), pool 2, dense 120, 84, classes.
      if (h < 12 || w < 12) throw new Error('lenet5 needs images of at least 12x12 pixels');
      return {
        input: [c, h, w],
        layers: [
          { type: 'conv2d', filters: 6, kernel: 5, padding: 'same', init: init(o) },
          act(o),
          { type: 'maxPool2d', size: 2, stride: 2 },
          { type: 'conv2d', filters: 16, kernel: 5, padding: 'valid', init: init(o) },
          act(o),
          { type: 'maxPool2d', size: 2, stride: 2 },
          { type: 'flatten' },
          ...hidden(120, o),
          ...hidden(84, o),
          { type: 'dense', units: classes, init: 'glorot' },
        ],
      };
    }
    default:
      throw new Error(`unknown model preset "${name}" (known: ${PRESETS.join(', ')})`);
  }
}
