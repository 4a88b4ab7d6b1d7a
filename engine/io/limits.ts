/**
 * Hard limits on what a model file may contain, checked on import before anything large is allocated.
 * Far above any model Locus trains (LeNet-5 has 61,706 weights; a 1024-unit MLP on 64x64 RGB ~12.6 M);
 * they exist so a damaged or hostile file fails with a reason instead of exhausting memory.
 */
export const LIMITS = Object.freeze({
  /**
   * Bytes of the whole file (the JSON text), on import and on export. Reading a valid file of this size
   * (its text, the parsed strings, the network with its gradients) peaks under 1 GB; 192 MiB holds about
   * 37 M weights, or 12 M with Adam's two moments.
   */
  maxFileBytes: 192 * 1024 * 1024,
  /** Values in one tensor (64 MiB of float32). */
  maxTensorElements: 16 * 1024 * 1024,
  /** Axes of a tensor or of the architecture's input. */
  maxRank: 6,
  /** Size of any one axis. */
  maxDim: 65536,
  /** Layers in an architecture, nested ones included. */
  maxLayers: 512,
  /** Largest magnitude of any number in a layer description (units, filters, kernel sizes...). */
  maxOptionValue: 65536,
  /** Image input: channels and side length. */
  maxChannels: 64,
  maxSide: 8192,
  /** Class names: how many, and characters each. */
  maxClasses: 10000,
  maxNameLength: 200,
  /** Epochs of training history. */
  maxEpochs: 100000,
  /** Nesting depth of the JSON. */
  maxDepth: 64,
  /**
   * The cost bound, checked on the text before it is parsed (cost.ts): JSON values in the whole file
   * (a 100,000-epoch history of 12 metrics is 1.3 M), items in any one array (and keys in any one object), characters in any key.
   */
  maxJsonValues: 2_000_000,
  maxArrayItems: 100_000,
  maxKeyLength: 256,
  /** Free-form settings (training.settings, layer options): values and characters (keys and strings). */
  maxSettingsValues: 10_000,
  maxSettingsChars: 256 * 1024,
  /** Values in an architecture's layer descriptions, nested layers and all options included. */
  maxArchitectureValues: 100_000,
  /**
   * Numbers a model computes with. Normalization std below minStd divides pixels into overflow (the
   * file's 1e-300 gave NaN); weights, biases, buffers and moments beyond maxWeight overflow float32 in
   * the first product (3.4e38 did). Trained models stay far inside both.
   */
  minStd: 1e-8,
  /** Smallest epsilon of a normalization layer (batchNorm): 1 / sqrt(0 + 1e-12) = 1e6 stays finite. */
  minEpsilon: 1e-12,
  maxWeight: 1e8,
  /** RBF spreads: 2 s^2 stays a finite number above 0 in double precision. */
  minSpread: 1e-100,
  maxSpread: 1e100,
  /** Optimizer moments (Adam's second moment is a squared gradient, so it gets more room). */
  maxMoment: 1e30,
  /** Step and pass counters (optimizer steps, epochs, samples seen): far below 2^53, so counting on stays exact. */
  maxCount: 1e12,
});
