/** engine/data: image folders, the bundled sample, splits, batches, IDX files and 2-D toy sets. */
export * from './abort.js';
export * from './batch.js';
export * from './cache.js';
export * from './decode.js';
export * from './folder.js';
export * from './idx.js';
export * from './normalize.js';
export * from './pixels.js';
export * from './progress.js';
export * from './scan.js';
export * from './sample.js';
export * from './sniff.js';
export * from './split.js';
export * from './toy.js';
