/**
 * Importing this module registers every layer type with the registry in layer.ts.
 * Types (lowerCamelCase): dense, conv2d, convTranspose2d, maxPool2d, avgPool2d, flatten, reshape,
 * batchNorm, dropout, relu, leakyRelu, sigmoid, tanh, softmax, residual, gate.
 */
import './dense.js';
import './conv2d.js';
import './convTranspose2d.js';
import './maxPool2d.js';
import './avgPool2d.js';
import './flatten.js';
import './reshape.js';
import './batchNorm.js';
import './dropout.js';
import './relu.js';
import './leakyRelu.js';
import './sigmoid.js';
import './tanh.js';
import './softmax.js';
import './residual.js';
import './gate.js';
import './conv1d.js';
import './simpleRnn.js';
import './lstm.js';
import './gru.js';

export * from './layer.js';
export { INIT_NAMES, initConstant, initWeights, isInitName, type InitName } from './init.js';
export { BatchNormLayer, isBatchNorm } from './batchNorm.js';
export type { DenseConfig } from './dense.js';
export type { Conv2dConfig } from './conv2d.js';
export type { ConvTranspose2dConfig } from './convTranspose2d.js';
export type { PoolConfig } from './poolConfig.js';
export type { ReshapeConfig } from './reshape.js';
export type { BatchNormConfig } from './batchNorm.js';
export type { DropoutConfig } from './dropout.js';
export type { LeakyReluConfig } from './leakyRelu.js';
export type { ResidualConfig } from './residual.js';
export type { GateConfig } from './gate.js';
