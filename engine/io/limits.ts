/**
 * Hard limits on what a model file may contain, checked on import before anything large is allocated.
 * Far above any model Locus trains (LeNet-5 has 61,706 weights; a 1024-unit MLP on 64x64 RGB ~12.6 M);
 * they exist so a damaged or hostile file fails with a reason instead of exhausting memory.
 */
export const LIMITS = Object.freeze({
  /** Bytes of the whole file (the JSON text). */
  maxFileBytes: 256 * 1024 * 1024,
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
});
