/**
 * `npm run bench -- --memory [--epochs N] [--images N]`: trains LeNet-5 with the session's own trainer
 * (ClassifierTrainer: batch 64, Adam) on synthetic 28x28 gray images (60,000 by default) and prints the
 * process's resident set size after every epoch, to check that memory stays flat after the first epoch.
 */
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';
import { UNIT } from '../data/normalize.js';
import '../layers/index.js';
import { presetSpec } from '../models/presets.js';
import { Sequential } from '../models/sequential.js';
import { ClassifierTrainer } from '../session/classifier.js';

const MB = 1024 * 1024;

export async function memoryRun(epochs: number, images: number): Promise<void> {
  const rng = new Rng(3);
  const side = 28;
  const pixels = new Uint8Array(images * side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = new Int32Array(images).map(() => rng.int(10));
  const set: ImageSet = {
    n: images, channels: 1, height: side, width: side, pixels, labels,
    classes: Array.from({ length: 10 }, (_, i) => `c${i}`), paths: [],
  };
  const model = new Sequential(presetSpec('lenet5', [1, side, side], 10), rng);
  const trainer = new ClassifierTrainer({
    model, set, train: Int32Array.from({ length: images }, (_, i) => i), val: new Int32Array(0), normalization: UNIT,
    settings: { epochs, batchSize: 64, seed: 1, optimizer: { type: 'adam', lr: 1e-3 } },
  });
  const rss = () => (process.memoryUsage().rss / MB).toFixed(0);
  console.log(`memory lenet5 images=${images} epoch=0 rss_mb=${rss()}`);
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  await trainer.run((e) => {
    if (e.type === 'epoch') {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      console.log(`memory lenet5 images=${images} epoch=${e.epoch} rss_mb=${rss()} heap_mb=${(m.heapUsed / MB).toFixed(0)} ` +
        `array_buffers_mb=${(m.arrayBuffers / MB).toFixed(0)} seconds=${e.seconds.toFixed(1)} img_per_s=${(images / e.seconds).toFixed(0)}`);
    }
  });
  clearInterval(timer);
  console.log(`memory lenet5 peak_rss_mb=${(peak / MB).toFixed(0)}`);
}
