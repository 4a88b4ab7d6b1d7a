/** Types shared by the ART networks (Fuzzy ART, ART-2A). */
import { positiveInt } from './checks.js';
import type { PrototypeStore } from './prototypes.js';
import type { StepResult } from './step.js';

/** One category tried during the search for a sample, in the order tried. */
export interface ArtTrial {
  index: number;
  /** Choice value T_j. */
  choice: number;
  /** Match value compared with the vigilance. */
  match: number;
  /** Whether it passed the vigilance test (the first one that passes resonates). */
  passed: boolean;
}

export interface ArtStep extends StepResult {
  /** Categories tried, in order of decreasing choice. */
  tried: ArtTrial[];
  /** The category that resonated (-1 when none did). */
  resonated: number;
  /** Why nothing was learnt, when so (category limit reached, zero vector). */
  skipped?: string;
}

export interface ArtEpoch {
  categories: number;
  created: number;
  /** Samples not placed (category limit reached). */
  unplaced: number;
}

/**
 * Epochs of ART learning, the same for every ART network: each epoch presents n samples in the model's
 * sample order and reports the category count, the categories created and the samples left unplaced.
 */
export function artEpochs(
  model: { step(x: Float32Array, n: number): ArtStep; readonly prototypes: { readonly count: number } },
  name: string,
  x: Float32Array,
  n: number,
  epochs: number,
): ArtEpoch[] {
  positiveInt(`${name} epochs`, epochs);
  const out: ArtEpoch[] = [];
  for (let e = 0; e < epochs; e++) {
    let created = 0;
    let unplaced = 0;
    for (let s = 0; s < n; s++) {
      const r = model.step(x, n);
      if (r.created) created++;
      if (r.winner < 0) unplaced++;
    }
    out.push({ categories: model.prototypes.count, created, unplaced });
  }
  return out;
}

/**
 * The end of an ART search where nothing resonated: a new category holding `make()`, unless the
 * category limit (`max`, 0 = none) is reached, in which case the sample stays unplaced.
 */
export function newCategory(
  prototypes: PrototypeStore,
  counts: number[],
  max: number,
  sample: number,
  tried: ArtTrial[],
  make: () => Float32Array,
): ArtStep {
  if (max > 0 && prototypes.count >= max) {
    return { sample, winner: -1, resonated: -1, created: false, moved: [], tried, skipped: `category limit ${max} reached` };
  }
  const j = prototypes.add(make());
  counts.push(1);
  return { sample, winner: j, resonated: -1, created: true, moved: [], tried };
}
