/**
 * What every optimizer shares: the step count, per-param slot arrays (moments) allocated on the first
 * step, weight decay in both modes, pruning masks and exact state save/restore. A concrete optimizer
 * names its slots and supplies one per-param update kernel.
 */
import { ownedZeros, releaseArrays } from '../kernels/resident.js';
import type { Param } from '../layers/layer.js';
import type { OptimizerConfig } from './config.js';
import type { Optimizer, OptimizerState } from './optimizer.js';

/** Everything a per-param kernel needs besides the optimizer's own hyperparameters. */
export interface UpdateArgs {
  /** Weights, updated in place. */
  w: Float32Array;
  /** Gradients (read only: L2 decay is folded in on the fly, the grad array is not changed). */
  g: Float32Array;
  /** Slot arrays of this param in slotNames order, same length as w. */
  slots: Float32Array[];
  /** 0 = pruned: the weight is set to exactly 0 and its slots are left alone. */
  mask: Uint8Array | undefined;
  lr: number;
  /** L2 coefficient added to the gradient: g + l2 * w (0 when off for this param). */
  l2: number;
  /** Decoupled decay factor applied to the weight before the update: w * keep (1 when off). */
  keep: number;
}

export abstract class SlotOptimizer<C extends OptimizerConfig> implements Optimizer {
  readonly type: C['type'];
  readonly config: Readonly<C>;
  lr: number;
  /** Steps taken so far; the update being computed is step number t (1 on the first step). */
  protected t = 0;
  #slots: Float32Array[][] | null = null; // [slot][param]
  /** Every slot array, as ownedZeros gave them (in the kernel memory when wasm runs the kernels). */
  #owned: Float32Array[] = [];

  constructor(config: C, readonly slotNames: readonly string[]) {
    this.config = Object.freeze({ ...config }) as Readonly<C>;
    this.type = config.type;
    this.lr = config.lr;
  }

  /** Called once per step after t is incremented, before any param is updated. */
  protected beginStep(): void {}

  protected abstract update(a: UpdateArgs): void;

  step(params: readonly Param[]): void {
    const slots = this.#ensureSlots(params);
    this.t++;
    this.beginStep();
    const { weightDecay: wd, decayMode } = this.config;
    const lr = this.lr;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const decays = wd > 0 && p.decay;
      this.update({
        w: p.value,
        g: p.grad,
        slots: slots.map((s) => s[i]),
        mask: p.mask,
        lr,
        l2: decays && decayMode === 'l2' ? wd : 0,
        keep: decays && decayMode === 'decoupled' ? 1 - lr * wd : 1,
      });
    }
  }

  getState(): OptimizerState {
    const slots: Record<string, number[][]> = {};
    this.slotNames.forEach((name, k) => {
      slots[name] = this.#slots ? this.#slots[k].map((a) => Array.from(a)) : [];
    });
    return { type: this.type, t: this.t, slots };
  }

  setState(state: OptimizerState): void {
    if (state === null || typeof state !== 'object') throw new Error('optimizer state must be an object');
    if (state.type !== this.type) throw new Error(`optimizer state is for "${String(state.type)}", this optimizer is "${this.type}"`);
    if (!Number.isSafeInteger(state.t) || state.t < 0) throw new Error(`optimizer state: step count must be an integer >= 0, got ${state.t}`);
    const names = Object.keys(state.slots ?? {}).sort();
    if (names.join() !== [...this.slotNames].sort().join()) {
      throw new Error(`optimizer state: slots are [${names.join(', ')}], "${this.type}" with these options keeps [${this.slotNames.join(', ')}]`);
    }
    const lists = this.slotNames.map((n) => state.slots[n]);
    const count = lists.length ? lists[0].length : 0;
    if (lists.some((l) => !Array.isArray(l) || l.length !== count)) throw new Error('optimizer state: slot lists differ in length');
    if (state.t > 0 && this.slotNames.length > 0 && count === 0) throw new Error('optimizer state: steps were taken but no slot values are given');
    const restored = lists.map((l, k) =>
      l.map((values, i) => {
        const a = Float32Array.from(values);
        for (let j = 0; j < a.length; j++) {
          if (!Number.isFinite(a[j]) || a[j] !== values[j]) {
            throw new Error(`optimizer state: ${this.slotNames[k]}[${i}][${j}] is not a finite float32 (${values[j]})`);
          }
        }
        return a;
      }),
    );
    this.t = state.t;
    if (count === 0) {
      this.#release();
      this.#slots = null;
      return;
    }
    const slots = this.#allocSlots(restored[0].map((a) => a.length));
    restored.forEach((list, k) => list.forEach((a, i) => slots[k][i].set(a)));
    this.#slots = slots;
  }

  /** Zeroed slot arrays [slot][param] for params of these lengths, replacing (and releasing) any before. */
  #allocSlots(lengths: readonly number[]): Float32Array[][] {
    this.#release();
    const flat = ownedZeros(this, this.slotNames.flatMap(() => lengths));
    this.#owned = flat;
    return this.slotNames.map((_, k) => flat.slice(k * lengths.length, (k + 1) * lengths.length));
  }

  #release(): void {
    if (this.#owned.length) releaseArrays(this.#owned);
    this.#owned = [];
  }

  /** Slots for this param list, allocated (zeros) on first use; a restored state must fit the list. */
  #ensureSlots(params: readonly Param[]): Float32Array[][] {
    if (!this.#slots) {
      this.#slots = this.#allocSlots(params.map((p) => p.value.length));
      return this.#slots;
    }
    for (const [k, list] of this.#slots.entries()) {
      if (list.length !== params.length) {
        throw new Error(`optimizer state holds ${list.length} params but step() got ${params.length}: pass the same param list every step`);
      }
      for (let i = 0; i < list.length; i++) {
        if (list[i].length !== params[i].value.length) {
          throw new Error(
            `optimizer state slot ${this.slotNames[k]}[${i}] has ${list[i].length} values but param "${params[i].name}" has ${params[i].value.length}`,
          );
        }
      }
    }
    return this.#slots;
  }
}
