/**
 * A chain of layers built from a JSON description. Composite layers (residual, gate) nest chains,
 * so the description stays a tree and every model kind serializes the same way.
 */
import { Arena } from '../core/arena.js';
import { arenaInts, arenaZeros } from '../kernels/resident.js';
import type { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { buildChain, specOf, type Buffer, type ForwardContext, type Layer, type LayerSpec, type Param } from '../layers/layer.js';

export interface SequentialSpec {
  /** Per-sample input shape, e.g. [1, 28, 28] or [784]. */
  input: number[];
  layers: LayerSpec[];
}

export class Sequential {
  readonly layers: Layer[];
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly #arena = new Arena(arenaZeros, arenaInts);

  constructor(spec: SequentialSpec, rng: Rng) {
    this.inputShape = [...spec.input];
    const { layers, outputShape } = buildChain(spec.layers, spec.input, rng);
    this.layers = layers;
    this.outputShape = outputShape;
  }

  spec(): SequentialSpec {
    return { input: [...this.inputShape], layers: this.layers.map(specOf) };
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; caches: unknown[] } {
    return this.#forward(x, ctx, false);
  }

  /**
   * fuse (predict only: no backward pass follows, so no layer's cache is needed): a layer that can apply
   * ReLU to its output as it writes it (forwardRelu) does so for a ReLU layer right after it, one pass
   * over the output instead of two, the same values.
   */
  #forward(x: Tensor, ctx: ForwardContext, fuse: boolean): { y: Tensor; caches: unknown[] } {
    const caches: unknown[] = new Array(this.layers.length);
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      if (fuse && layer.forwardRelu && this.layers[i + 1]?.type === 'relu') {
        const { y, cache } = layer.forwardRelu(h, ctx);
        caches[i] = cache;
        caches[i + 1] = null;
        h = y;
        i++;
        continue;
      }
      const { y, cache } = layer.forward(h, ctx);
      caches[i] = cache;
      h = y;
    }
    return { y: h, caches };
  }

  /**
   * Inference forward pass. The layers' outputs come from an arena reused by the next predict (no fresh
   * arrays, hence no page faults, per call); the result is a copy, so it is the caller's to keep.
   */
  predict(x: Tensor, rng: Rng): Tensor {
    this.#arena.reset();
    const { y } = this.#forward(x, { training: false, rng, arena: this.#arena }, true);
    return tensor(y.shape, y.data.slice());
  }

  /**
   * Backpropagate dy; returns dx. Pass needInput = false when dx is not wanted (training on data): the
   * first layer may then skip computing it (a third of a first dense layer's work) and an empty tensor
   * comes back. `arena`: the one the forward pass used (see trainingArena), for dx and the layers'
   * gradients with respect to their inputs. paramGrads = false: the caller will not read the parameter
   * gradients of this pass (Layer.backward), so layers may skip them. paramGrads = 'set': every param's
   * grad is overwritten with this pass's gradient, as if zeroed first and then added to (the trainers'
   * step): layers that can write their grads directly (setsGrads) do, the others' grads are zeroed just
   * before their backward, and a param met twice (shared) is added to the second time.
   */
  backward(caches: unknown[], dy: Tensor, needInput = true, arena?: Arena, paramGrads: boolean | 'set' = true): Tensor {
    // Without dx, layers before the first one with params (flatten, input dropout) have nothing to do.
    const first = needInput ? 0 : this.layers.findIndex((l) => collect([l], (q) => q.params()).length > 0);
    const written = paramGrads === 'set' ? new Set<Param>() : null;
    let g = dy;
    for (let i = this.layers.length - 1; i >= Math.max(first, 0); i--) {
      const layer = this.layers[i];
      let mode = paramGrads;
      if (written) {
        const own = collect([layer], (q) => q.params());
        const fresh = own.every((p) => !written.has(p));
        if (!(layer.setsGrads && fresh)) {
          for (const p of own) if (!written.has(p)) p.grad.fill(0);
          mode = true;
        }
        for (const p of own) written.add(p);
      }
      g = layer.backward(caches[i], g, needInput || i > first, arena, mode);
    }
    return needInput ? g : tensor([0], new Float32Array(0));
  }

  /** All trainable params, depth first, in a stable order (names are prefixed by layer path). */
  params(): Param[] {
    return collect(this.layers, (l) => l.params());
  }

  buffers(): Buffer[] {
    return collect(this.layers, (l) => l.buffers());
  }

  zeroGrads(): void {
    for (const p of this.params()) p.grad.fill(0);
  }
}

function collect<T>(layers: readonly Layer[], get: (l: Layer) => T[]): T[] {
  const out: T[] = [];
  const walk = (ls: readonly Layer[]) => {
    for (const l of ls) {
      out.push(...get(l));
      if (l.children) walk(l.children());
    }
  };
  walk(layers);
  return out;
}

/**
 * An arena for training steps (core/arena.ts): reset it at the start of each step and pass it to every
 * forward (ForwardContext.arena) and backward of the step; nothing the step made may be used after the
 * next reset. Its arrays live in the kernel memory when there is room (kernels/resident.ts), so the
 * WebAssembly kernels read and write the activations and gradients where they are.
 */
export function trainingArena(): Arena {
  return new Arena(arenaZeros, arenaInts);
}
