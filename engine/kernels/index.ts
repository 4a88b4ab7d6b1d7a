/** The engine's numeric kernels: pure functions on Float32Array with caller-provided outputs. */
export { gemm } from './gemm.js';
export { padAmounts, windowGeom, squareWindow, transposedWindow, colRows, colCols, imageSize } from './geometry.js';
export type { Padding, WindowGeom, WindowSpec } from './geometry.js';
export { im2col, col2im } from './im2col.js';
export { conv2dForward, conv2dBackward, addChannelBias, sumChannels } from './conv2d.js';
export { convTranspose2dForward, convTranspose2dBackward } from './convTranspose2d.js';
export { maxPoolForward, maxPoolBackward } from './maxPool.js';
export { avgPoolForward, avgPoolBackward } from './avgPool.js';
export * from './activation.js';
export { adamUpdate, adamUpdateTs } from './adam.js';
export type { AdamStep } from './adam.js';
export { gemmTs } from './gemm.js';
export { kernelBackend, setKernelBackend, wasmActive } from './backend.js';
export type { KernelBackend, KernelChoice } from './backend.js';
