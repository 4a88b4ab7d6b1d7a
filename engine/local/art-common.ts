/** Types shared by the ART networks (Fuzzy ART, ART-2A). */
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
