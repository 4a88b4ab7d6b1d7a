/**
 * The bundled sample: 600 Fashion-MNIST images (10 classes x 60) in assets/sample/fashion-mnist,
 * built by scripts/build-sample.ts. findSampleDir() finds it from the source tree or a build output by
 * walking up from this module (or from `start`) until a folder holds assets/sample/fashion-mnist.
 */
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLE_SUBPATH = join('assets', 'sample', 'fashion-mnist');
export const SAMPLE_PER_CLASS = 60;

export function findSampleDir(start: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = start;
  for (;;) {
    const candidate = join(dir, SAMPLE_SUBPATH);
    try {
      if (statSync(candidate).isDirectory()) return candidate;
    } catch {
      // not here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
