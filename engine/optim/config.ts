/**
 * Optimizer descriptions. A spec is JSON (from settings, the CLI or a model file): its type plus any
 * options; missing options come from the optimizer's frozen DEFAULTS, unknown or mistyped ones are
 * refused. The merged, checked result is the optimizer's config.
 */

/** 'l2': weightDecay * w is added to the gradient; 'decoupled': w -= lr * weightDecay * w (AdamW). */
export type DecayMode = 'l2' | 'decoupled';

export interface CommonConfig {
  lr: number;
  /** Weight decay strength (0 = none); applies only to params with decay = true. */
  weightDecay: number;
  decayMode: DecayMode;
}

export interface SgdConfig extends CommonConfig {
  type: 'sgd';
  /** Heavy-ball momentum in [0, 1); 0 = plain SGD. */
  momentum: number;
  /** Nesterov momentum (needs momentum > 0). */
  nesterov: boolean;
}

export interface RmspropConfig extends CommonConfig {
  type: 'rmsprop';
  /** Decay of the running mean of squared gradients, in [0, 1). */
  rho: number;
  eps: number;
}

export interface AdamConfig extends CommonConfig {
  type: 'adam';
  beta1: number;
  beta2: number;
  eps: number;
  /** Divide the moments by (1 - beta^t). Off only to show what goes wrong without it. */
  biasCorrection: boolean;
}

export type OptimizerConfig = SgdConfig | RmspropConfig | AdamConfig;
export type OptimizerType = OptimizerConfig['type'];

/** A spec names the type and may give any subset of that type's options. */
type SpecOf<C extends { type: string }> = Pick<C, 'type'> & Partial<Omit<C, 'type'>>;
export type OptimizerSpec = SpecOf<SgdConfig> | SpecOf<RmspropConfig> | SpecOf<AdamConfig>;

export const COMMON_DEFAULTS: Readonly<CommonConfig> = Object.freeze({ lr: 0.01, weightDecay: 0, decayMode: 'l2' });

/**
 * Merge a spec over defaults: unknown keys are refused, each key keeps its default's type, numbers
 * must be finite. Range checks are the optimizer's own (see `check*` below).
 */
export function mergeSpec<C extends { type: string }>(defaults: Readonly<C>, spec: unknown): C {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new Error('optimizer spec must be an object with a "type"');
  }
  const src = spec as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(src)) {
    if (key === 'type') continue;
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      const known = Object.keys(defaults).filter((k) => k !== 'type');
      throw new Error(`optimizer "${defaults.type}": unknown option "${key}" (known: ${known.join(', ')})`);
    }
    const want = typeof (defaults as Record<string, unknown>)[key];
    const v = src[key];
    if (typeof v !== want) throw new Error(`optimizer "${defaults.type}": option "${key}" must be a ${want}, got ${v === null ? 'null' : typeof v}`);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`optimizer "${defaults.type}": option "${key}" must be a finite number`);
    out[key] = v;
  }
  return out as C;
}

export function checkRange(type: string, key: string, v: number, lo: number, hi: number, hiOpen = false): void {
  const ok = v >= lo && (hiOpen ? v < hi : v <= hi);
  if (!ok) throw new Error(`optimizer "${type}": ${key} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
}

export function checkCommon(c: CommonConfig & { type: string }): void {
  if (!(c.lr >= 0)) throw new Error(`optimizer "${c.type}": lr must be >= 0, got ${c.lr}`);
  if (!(c.weightDecay >= 0)) throw new Error(`optimizer "${c.type}": weightDecay must be >= 0, got ${c.weightDecay}`);
  if (c.decayMode !== 'l2' && c.decayMode !== 'decoupled') {
    throw new Error(`optimizer "${c.type}": decayMode must be "l2" or "decoupled", got "${String(c.decayMode)}"`);
  }
}

export function checkEps(type: string, eps: number): void {
  if (!(eps > 0)) throw new Error(`optimizer "${type}": eps must be > 0, got ${eps}`);
}
