/**
 * Gradient-norm clipping over all params at once (the global L2 norm, as torch.nn.utils.clip_grad_norm_).
 * Pruned entries (mask 0) are ignored: they neither count toward the norm nor matter to the update.
 */
import { sumSquares } from '../kernels/sumSquares.js';
import type { Param } from '../layers/layer.js';

/**
 * sqrt of the sum of squared gradients over every (unpruned) entry of every param, summed in float64 (a
 * large param's on the wasm kernels, kernels/sumSquares.ts: the trainers take it at every step).
 */
export function gradNorm(params: readonly Param[]): number {
  let s = 0;
  for (const p of params) {
    const g = p.grad;
    const mask = p.mask;
    if (mask === undefined) {
      s += sumSquares(g);
    } else {
      for (let j = 0; j < g.length; j++) if (mask[j] !== 0) s += g[j] * g[j];
    }
  }
  return Math.sqrt(s);
}

/**
 * Scale all grads by maxNorm / norm when the global norm exceeds maxNorm, so it becomes maxNorm.
 * Returns the norm before clipping. A non-finite norm is returned as is and the grads are left alone
 * (scaling would only spread the NaN): the caller should treat it as divergence.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = gradNorm(params);
  if (!Number.isFinite(norm) || norm <= maxNorm) return norm;
  const scale = maxNorm / norm;
  for (const p of params) {
    const g = p.grad;
    for (let j = 0; j < g.length; j++) g[j] *= scale;
  }
  return norm;
}
