/**
 * Training a classifier on a 2-D toy set (TensorFlow Playground's picture): the set a train.start names
 * instead of the loaded folder, and train.regions' answer, the model's class and confidence over a grid
 * of the plane with the points it learned from.
 */
import { arr, count, f32, type Infer, i32, literal, num, obj, optional, str, u8 } from './guard.js';
import { ClusterGrid } from './cluster.js';
import { TOY_SETS } from './gan.js';
import { RunId } from './runs.js';

export const ToyTrainData = obj({
  name: literal(...TOY_SETS),
  /** Points in the set (a fifth validate by default, stratified). */
  n: num({ int: true, min: 20, max: 20_000 }),
  /** Seed of the points (the run's seed when absent). */
  seed: optional(count(0xffffffff)),
  /** Noise of the set (each set's default when absent; see engine/data/toy.ts). */
  noise: optional(num({ min: 0, max: 1 })),
  /** Classes of blobs, rings and spirals (moons has 2). */
  classes: optional(num({ int: true, min: 2, max: 12 })),
});
export type ToyTrainData = Infer<typeof ToyTrainData>;

export const TrainRegions = obj({
  runId: RunId,
  /** The plane shown: [-extent, extent] on both axes. */
  extent: num({ min: 0 }),
  /** The model's class and its probability (0..255) per cell, row-major, row 0 at -extent. */
  grid: ClusterGrid,
  /** The toy set's points [n, 2], their classes, and which of them validate (1) or train (0). */
  points: f32(),
  labels: i32(),
  val: u8(),
  classes: arr(str({ max: 64 }), { max: 64 }),
});
export type TrainRegions = Infer<typeof TrainRegions>;
