/**
 * A Keras-style layer graph as TensorFlow.js's layers format stores it, built one layer at a time.
 * Tensors are referred to by the node that makes them and carry their Locus per-sample shape; in the
 * Keras model a rank-3 tensor [C, H, W] is laid out channels last as [H, W, C] (TensorFlow.js's
 * convolutions are NHWC), every other rank keeps the Locus layout. A chain with one input per layer
 * becomes a `Sequential` topology, anything with branches (residual, gate) a functional `Model`.
 */

/** Refusal of a network the layers format cannot express. */
export class TfjsExportError extends Error {
  override name = 'TfjsExportError';
}

/** A tensor in the graph: the node (layer name) that makes it and its Locus per-sample shape. */
export interface TfRef {
  readonly node: string;
  readonly shape: readonly number[];
}

/** One weight tensor, already in the Keras layout, named `<layer name>/<weight>`. */
export interface TfWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

interface TfNode {
  className: string;
  name: string;
  config: Record<string, unknown>;
  inputs: string[];
}

/** The Keras shape (no batch axis) of a Locus per-sample shape: [C, H, W] -> [H, W, C]. */
export function kerasShape(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape];
}

export class TfjsGraph {
  readonly input: TfRef;
  readonly weights: TfWeight[] = [];
  readonly #nodes: TfNode[] = [];
  readonly #counts = new Map<string, number>();

  constructor(inputShape: readonly number[]) {
    this.input = { node: 'input_1', shape: [...inputShape] };
    this.#counts.set('input', 1);
  }

  /**
   * Add a layer of Keras class `className` fed by `inputs`; `base` names it (`dense` -> dense_1, dense_2...).
   * `weights` are [weight name, Keras shape, values]. Returns the layer's output with Locus shape `shape`.
   */
  add(
    className: string,
    base: string,
    config: Record<string, unknown>,
    inputs: readonly TfRef[],
    shape: readonly number[],
    weights: readonly [string, readonly number[], Float32Array][] = [],
  ): TfRef {
    const n = (this.#counts.get(base) ?? 0) + 1;
    this.#counts.set(base, n);
    const name = `${base}_${n}`;
    for (const [w, wShape, data] of weights) {
      const size = wShape.reduce((a, b) => a * b, 1);
      if (size !== data.length) throw new Error(`internal: weight ${name}/${w} has ${data.length} values for shape [${wShape.join(', ')}]`);
      this.weights.push({ name: `${name}/${w}`, shape: [...wShape], data });
    }
    this.#nodes.push({ className, name, config: { name, trainable: true, dtype: 'float32', ...config }, inputs: inputs.map((r) => r.node) });
    return { node: name, shape: [...shape] };
  }

  /** The `modelTopology` of model.json, with `output` as the model's output. */
  topology(output: TfRef, modelName = 'locus_model'): Record<string, unknown> {
    if (this.#nodes.length === 0) throw new TfjsExportError('the network has no layer TensorFlow.js can run (an empty or identity network)');
    const batchInputShape = [null, ...kerasShape(this.input.shape)];
    const last = this.#nodes[this.#nodes.length - 1];
    const chain =
      output.node === last.name &&
      this.#nodes.every((nd, i) => nd.inputs.length === 1 && nd.inputs[0] === (i === 0 ? this.input.node : this.#nodes[i - 1].name));
    const wrap = (config: Record<string, unknown>) => ({
      class_name: chain ? 'Sequential' : 'Model',
      config,
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    });
    if (chain) {
      const layers = this.#nodes.map((nd, i) => ({
        class_name: nd.className,
        config: i === 0 ? { batch_input_shape: batchInputShape, ...nd.config } : nd.config,
      }));
      return wrap({ name: modelName, layers });
    }
    const inputLayer = {
      class_name: 'InputLayer',
      name: this.input.node,
      config: { batch_input_shape: batchInputShape, dtype: 'float32', sparse: false, name: this.input.node },
      inbound_nodes: [],
    };
    const layers = this.#nodes.map((nd) => ({
      class_name: nd.className,
      name: nd.name,
      config: nd.config,
      inbound_nodes: [nd.inputs.map((src) => [src, 0, 0, {}])],
    }));
    return wrap({
      name: modelName,
      layers: [inputLayer, ...layers],
      input_layers: [[this.input.node, 0, 0]],
      output_layers: [[output.node, 0, 0]],
    });
  }
}
