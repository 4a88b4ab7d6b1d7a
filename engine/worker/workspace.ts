/**
 * What the engine holds between requests: the image folder loaded now and its train/validation split.
 * Handlers of other methods (training, clustering, ...) read the data from here.
 */
import type { LoadResult } from '../data/folder.js';
import type { DataSummary } from '../protocol/contract.js';

export interface LoadedData {
  readonly result: LoadResult;
  readonly split: { readonly train: Int32Array; readonly val: Int32Array };
  readonly summary: DataSummary;
}

let current: LoadedData | null = null;
const lists = new Map<string, Int32Array>();

export const workspace = {
  get data(): LoadedData | null {
    return current;
  },
  set(data: LoadedData | null): void {
    current = data;
    lists.clear();
  },
  /**
   * Indices into the whole set of the images of one side of the split (or all), optionally of one class
   * (-1: the unlabeled ones), in ascending order. Computed once per key and kept until the next load.
   */
  indices(subset: 'all' | 'train' | 'val', classIndex: number | undefined): Int32Array {
    if (!current) throw new Error('no folder is loaded');
    const key = `${subset}:${classIndex ?? '*'}`;
    let list = lists.get(key);
    if (list) return list;
    const { labels, n } = current.result.set;
    const base = subset === 'all' ? null : Int32Array.from(current.split[subset]).sort();
    const size = base ? base.length : n;
    const out = new Int32Array(size);
    let k = 0;
    for (let j = 0; j < size; j++) {
      const i = base ? base[j] : j;
      if (classIndex === undefined || labels[i] === classIndex) out[k++] = i;
    }
    list = out.slice(0, k);
    lists.set(key, list);
    return list;
  },
};
