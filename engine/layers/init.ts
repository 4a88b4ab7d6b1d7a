/**
 * Weight initializers drawn from the seeded Rng, so the same seed gives bit-identical weights.
 *  - 'he'            normal,  std   = sqrt(2 / fanIn)            (ReLU units; He et al. 2015)
 *  - 'heUniform'     uniform, limit = sqrt(6 / fanIn)
 *  - 'glorot'        normal,  std   = sqrt(2 / (fanIn + fanOut)) (tanh/sigmoid/linear; Glorot & Bengio 2010)
 *  - 'glorotUniform' uniform, limit = sqrt(6 / (fanIn + fanOut))
 * Biases are a constant (biasInit), so a small positive bias for ReLU units is one option away.
 */
import type { Rng } from '../core/rng.js';

export type InitName = 'he' | 'heUniform' | 'glorot' | 'glorotUniform';
export const INIT_NAMES: readonly InitName[] = Object.freeze(['he', 'heUniform', 'glorot', 'glorotUniform']);

export function isInitName(v: unknown): v is InitName {
  return typeof v === 'string' && (INIT_NAMES as readonly string[]).includes(v);
}

/** Fill `out` from the named distribution for a layer with the given fan-in and fan-out. */
export function initWeights(out: Float32Array, name: InitName, fanIn: number, fanOut: number, rng: Rng): void {
  if (!(fanIn > 0 && fanOut > 0)) throw new Error(`init: fan-in and fan-out must be positive, got ${fanIn}, ${fanOut}`);
  switch (name) {
    case 'he':
      return fillNormal(out, Math.sqrt(2 / fanIn), rng);
    case 'heUniform':
      return fillUniform(out, Math.sqrt(6 / fanIn), rng);
    case 'glorot':
      return fillNormal(out, Math.sqrt(2 / (fanIn + fanOut)), rng);
    case 'glorotUniform':
      return fillUniform(out, Math.sqrt(6 / (fanIn + fanOut)), rng);
    default:
      throw new Error(`init: unknown initializer "${String(name)}" (known: ${INIT_NAMES.join(', ')})`);
  }
}

function fillNormal(out: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
}

function fillUniform(out: Float32Array, limit: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
}

export function initConstant(out: Float32Array, value: number): void {
  out.fill(value);
}
