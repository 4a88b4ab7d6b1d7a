/** Loading an image folder from the CLI with a progress bar, Ctrl-C cancelling cleanly. */
import { loadImageFolder, type LoadOptions, type LoadResult } from '../data/folder.js';
import { num, oneOf } from './args.js';
import type { Output } from './output.js';

export const LOAD_OPTIONS = {
  size: { type: 'string' },
  channels: { type: 'string' },
  fit: { type: 'string' },
  'max-pixels': { type: 'string' },
  'no-cache': { type: 'boolean' },
} as const;

export const LOAD_USAGE = `  --size N          resize images to N x N pixels (default 28)
  --channels 1|3    1 = grayscale (default), 3 = RGB
  --fit MODE        contain | cover | fill (how images of another aspect ratio are fitted)
  --max-pixels N    skip images larger than N pixels (default 64000000)
  --no-cache        decode every image again instead of using the cache`;

export function loadOptions(v: Record<string, unknown>): LoadOptions {
  const size = num(v.size as string | undefined, 'size', 28, 4, 512, true);
  const channels = num(v.channels as string | undefined, 'channels', 1, 1, 3, true);
  if (channels !== 1 && channels !== 3) throw new Error('--channels must be 1 or 3');
  const o: LoadOptions = { width: size, height: size, channels: channels as 1 | 3 };
  if (v.fit !== undefined) o.fit = oneOf(v.fit as string, 'fit', ['contain', 'cover', 'fill'] as const, 'contain');
  if (v['max-pixels'] !== undefined) o.maxPixels = num(v['max-pixels'] as string, 'max-pixels', 64e6, 1, 1e12, true);
  if (v['no-cache']) o.cacheDir = null;
  return o;
}

export async function loadFolder(dir: string, opts: LoadOptions, out: Output): Promise<LoadResult> {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  try {
    const r = await loadImageFolder(dir, {
      ...opts,
      signal: ac.signal,
      onProgress: (p) => out.progress(p.phase === 'scan' ? 'scanning' : 'loading ', p.done, p.total, '', { phase: p.phase }),
    });
    out.clearBar();
    return r;
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw new Error('cancelled');
    throw e;
  } finally {
    process.off('SIGINT', onSig);
  }
}
