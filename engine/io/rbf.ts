/**
 * The rbf kind: an RBF network (variant "network") or rules and exceptions (variant "rules": a default
 * rule plus the RBF exception units). Spreads and weights are kept in float64, as the model holds them.
 */
import { RbfNetwork, type RbfConfig } from '../local/rbf.js';
import { RulesAndExceptions } from '../local/rules.js';
import type { TrainingRecord } from './classifier.js';
import { decodeFloat64, encodeFloat64, type EncodedFloat64, type EncodedTensor } from './codec.js';
import { ModelFileError } from './errors.js';
import { LIMITS } from './limits.js';
import { envelope, type ModelFile } from './format.js';
import { registerKind } from './kinds.js';
import {
  checkData,
  checkSize,
  checkRng,
  checkTraining,
  decodePrototypes,
  encodeData,
  encodePrototypes,
  encodeTraining,
  inputShape,
  pickData,
  rebuild,
  type LoadedLocal,
  type LocalData,
  type LocalTrainingInit,
} from './local-common.js';
import type { RngState } from '../core/rng.js';

export type RbfVariant = 'network' | 'rules';

export interface RbfContent extends LocalData {
  variant: RbfVariant;
  config: RbfConfig;
  centres?: EncodedTensor;
  frozen: number[];
  spreads?: EncodedFloat64;
  /** (units + 1) x outputs, bias row last. */
  weights: EncodedFloat64;
  rng: RngState;
  rule?: { kind: 'constant' | 'linear'; weights: EncodedFloat64 };
  threshold?: number;
  training: TrainingRecord;
}

export type RbfFile = ModelFile<'rbf', RbfContent>;

export function rbfToFile(init: { model: RbfNetwork | RulesAndExceptions; data?: LocalData; training: LocalTrainingInit; createdAt?: Date }): RbfFile {
  const rules = init.model instanceof RulesAndExceptions ? init.model : null;
  const net = rules ? rules.net : (init.model as RbfNetwork);
  const st = net.toState();
  const k = net.units;
  const { prototypes, frozen } = encodePrototypes(st.prototypes, inputShape(init.data, st.config.dim));
  const content: RbfContent = {
    ...encodeData(init.data),
    variant: rules ? 'rules' : 'network',
    config: { ...st.config },
    ...(prototypes ? { centres: prototypes } : {}),
    frozen,
    ...(k > 0 ? { spreads: encodeFloat64([k], Float64Array.from(net.spreads)) } : {}),
    weights: encodeFloat64([k + 1, net.outputs], net.weights),
    rng: st.rng,
    training: encodeTraining(init.training),
  };
  if (rules) {
    const w = rules.rule.weights;
    content.rule = { kind: rules.rule.kind, weights: encodeFloat64([w.length / net.outputs, net.outputs], w) };
    content.threshold = rules.threshold;
  }
  return envelope('rbf', content, init.createdAt);
}

export function rbfFromFile(file: ModelFile): LoadedLocal<RbfNetwork | RulesAndExceptions> & { variant: RbfVariant } {
  if (file.kind !== 'rbf') throw new ModelFileError(`this is a "${file.kind}" model, not an RBF network`);
  const c = (file as RbfFile).model;
  const { dim, outputs, task } = c.config;
  checkData(c, dim, task === 'classification' || c.classes ? outputs : undefined);
  checkTraining(c.training);
  checkRng(c.rng, 'rng');
  checkSize('config: dim', dim);
  checkSize('config: outputs', outputs);
  const prototypes = decodePrototypes(c.centres, c.frozen, inputShape(c, dim), 'centres');
  const k = prototypes.count;
  let spreads: number[] = [];
  if (k > 0) {
    if (!c.spreads) throw new ModelFileError(`missing field spreads (${k} units)`);
    expectShape(c.spreads, [k], 'spreads');
    spreads = Array.from(decodeFloat64(c.spreads, 'spreads'));
    spreads.forEach((s, j) => {
      if (!(s > 0)) throw new ModelFileError(`spreads: unit ${j} has spread ${s}, spreads must be positive`);
      // A unit's activity divides by 2 s^2: it must neither underflow to 0 (0/0 is NaN at the centre) nor overflow.
      if (!(s >= LIMITS.minSpread && s <= LIMITS.maxSpread)) {
        throw new ModelFileError(`spreads: unit ${j} has spread ${s}; spreads must be between ${LIMITS.minSpread} and ${LIMITS.maxSpread} (2 s^2 must stay a finite, non-zero number)`);
      }
    });
  } else if (c.spreads) throw new ModelFileError('spreads given for a network without units');
  expectShape(c.weights, [k + 1, outputs], 'weights');
  const weights = Array.from(decodeFloat64(c.weights, 'weights'));
  const net = rebuild('RBF', () => RbfNetwork.fromState({ type: 'rbf', config: c.config, prototypes, spreads, weights, rng: c.rng }));
  const rest = { data: pickData(c), training: c.training, createdAt: file.createdAt, locusVersion: file.locusVersion };
  if (c.variant === 'network') {
    if (c.rule || c.threshold !== undefined) throw new ModelFileError('rule and threshold belong to the "rules" variant');
    return { model: net, variant: 'network', ...rest };
  }
  if (!c.rule || c.threshold === undefined) throw new ModelFileError('the "rules" variant needs rule and threshold');
  const rows = c.rule.kind === 'linear' ? dim + 1 : 1;
  expectShape(c.rule.weights, [rows, outputs], 'rule.weights');
  const ruleWeights = decodeFloat64(c.rule.weights, 'rule.weights');
  const model = rebuild('rules', () => new RulesAndExceptions(net, { kind: c.rule!.kind, weights: ruleWeights }, c.threshold!));
  return { model, variant: 'rules', ...rest };
}

function expectShape(t: EncodedFloat64, shape: number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
    throw new ModelFileError(`${what}: shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

registerKind({ kind: 'rbf', check: (f) => void rbfFromFile(f) });
