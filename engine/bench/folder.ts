/**
 * The folder-loading workload of `npm run bench`: colour JPEGs generated with sharp in a temporary folder
 * (two class sub-folders; each picture a smooth random field, a small random image enlarged, at JPEG
 * quality 90), loaded with loadImageFolder to 64x64 RGB ('cover'):
 *  - folder-cold:  a fresh, empty cache folder each call (every image decoded, then the cache written);
 *  - folder-cache: the same folder again with the cache that a cold load wrote (no image decoded).
 * The files themselves are usually in the OS page cache in both cases. Default 24 images of 3000x4000;
 * `--folder-images N --folder-size WxH` (the full size: 2000 and 3000x4000). The
 * twin (scripts/bench_torch.py --folder DIR) is torchvision's ImageFolder with Resize(64), CenterCrop(64)
 * and ToTensor through a DataLoader (batch 64).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../core/rng.js';
import { loadImageFolder } from '../data/folder.js';

export interface BenchFolder {
  dir: string;
  images: number;
  /** Whether this call generated the folder (else it reused one from an earlier bench run). */
  made: boolean;
}

/**
 * The folder of `images` JPEGs of width x height under the OS temporary folder, generated the first time
 * (the same bytes every time: a seeded Rng) and reused by later bench runs (generating 3000x4000 JPEGs
 * takes about a second each on a loaded 2-core machine). Remove it with `rm -r $TMPDIR/locus-bench-jpeg-*`.
 */
export async function makeJpegFolder(images: number, width: number, height: number): Promise<BenchFolder> {
  const dir = join(tmpdir(), `locus-bench-jpeg-${images}-${width}x${height}`);
  if (existsSync(join(dir, 'complete'))) return { dir, images, made: false };
  rmSync(dir, { recursive: true, force: true });
  for (const c of ['a', 'b']) mkdirSync(join(dir, c), { recursive: true });
  const rng = new Rng(7);
  const sw = 24;
  const sh = Math.max(1, Math.round((sw * height) / width));
  const smalls = Array.from({ length: images }, () => new Uint8Array(sw * sh * 3).map(() => rng.int(256)));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < images; i = next++) {
      await sharp(smalls[i], { raw: { width: sw, height: sh, channels: 3 } })
        .resize(width, height, { kernel: 'cubic' })
        .jpeg({ quality: 90 })
        .toFile(join(dir, i % 2 ? 'b' : 'a', `img${String(i).padStart(5, '0')}.jpg`));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  writeFileSync(join(dir, 'complete'), `${images} ${width}x${height}\n`);
  return { dir, images, made: true };
}

const SIZE = { width: 64, height: 64, channels: 3 as const };

export interface FolderWorkload {
  name: string;
  batch: number;
  run: () => Promise<void>;
}

/** The two folder workloads (asynchronous: measured with measureRatesAsync) and the removal of their caches. */
export function folderWorkloads(f: BenchFolder): { workloads: FolderWorkload[]; dispose: () => void } {
  const caches = mkdtempSync(join(tmpdir(), 'locus-bench-cache-'));
  let serial = 0;
  const warm = join(caches, 'warm');
  const check = (n: number) => {
    if (n !== f.images) throw new Error(`folder bench: loaded ${n} of ${f.images} images`);
  };
  const workloads: FolderWorkload[] = [
    {
      name: 'folder-cold',
      batch: f.images,
      run: async () => {
        const cacheDir = join(caches, `cold${serial++}`);
        const r = await loadImageFolder(f.dir, { ...SIZE, cacheDir });
        check(r.set.n);
        rmSync(cacheDir, { recursive: true, force: true });
      },
    },
    {
      name: 'folder-cache',
      batch: f.images,
      run: async () => {
        const r = await loadImageFolder(f.dir, { ...SIZE, cacheDir: warm });
        check(r.set.n);
        if (r.cacheHits !== f.images && r.cache.written === false) throw new Error('folder bench: the cache was not used');
      },
    },
  ];
  return { workloads, dispose: () => rmSync(caches, { recursive: true, force: true }) };
}
