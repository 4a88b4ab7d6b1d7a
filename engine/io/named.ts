/**
 * Names for a network's tensors in the model file: the layer's path in the architecture (its index;
 * nested layers of composite ones add theirs: "3.1") then the tensor's own name: "0.weight", "3.1.bias".
 * The walk visits layers in the same depth-first order as Sequential.params()/buffers(), so position i
 * here is position i there (optimizer state is aligned by position).
 */
import type { Buffer, Layer, Param } from '../layers/layer.js';

export interface Named<T> {
  name: string;
  item: T;
}

export function namedTensors(layers: readonly Layer[]): { params: Named<Param>[]; buffers: Named<Buffer>[] } {
  const params: Named<Param>[] = [];
  const buffers: Named<Buffer>[] = [];
  const seen = new Set<string>();
  const add = <T extends { name: string }>(out: Named<T>[], path: string, item: T) => {
    const name = `${path}.${item.name}`;
    if (seen.has(name)) throw new Error(`two tensors are named "${name}" (layer ${path} gives a name twice)`);
    seen.add(name);
    out.push({ name, item });
  };
  const walk = (ls: readonly Layer[], prefix: string) => {
    ls.forEach((l, i) => {
      const path = prefix ? `${prefix}.${i}` : `${i}`;
      for (const p of l.params()) add(params, path, p);
      for (const b of l.buffers()) add(buffers, path, b);
      if (l.children) walk(l.children(), path);
    });
  };
  walk(layers, '');
  return { params, buffers };
}
