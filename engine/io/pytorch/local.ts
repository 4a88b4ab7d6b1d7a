/**
 * Locus's local models (k-means, SOM, ART, RBF, mixture of experts) in the PyTorch export. They have no
 * PyTorch twin to train further: what they hold is prototypes and weights, so the package carries
 * those as arrays (weights.bin + weights.json, named by their place in the model file: "prototypes",
 * "centers"...) and locus.json the rest of the model file (config, counts, classes, input,
 * normalization), with each array replaced by {"array": name}. model.py reads the arrays with numpy;
 * for k-means and the SOM, whose use is "the nearest prototype", it also has that reference
 * implementation (squared Euclidean distance, the first of equals wins), tested against Locus.
 */
import { decodeTensor, type EncodedTensor } from '../codec.js';
import type { ModelFile } from '../format.js';
import { LOCUS_VERSION } from '../format.js';
import { kmeansFromFile } from '../kmeans.js';
import { somFromFile } from '../som.js';
import { artFromFile } from '../art.js';
import { rbfFromFile } from '../rbf.js';
import { moeFromFile } from '../moe.js';
import { DATA_PY } from './data-py.js';
import { PytorchExportError } from './layers.js';
import { encodeWeights, WEIGHTS_BIN, WEIGHTS_JSON, type NamedValues } from './weights.js';
import type { PackageFile, PytorchPackage } from './export.js';

export const LOCAL_KINDS = ['kmeans', 'som', 'art', 'rbf', 'moe'] as const;

const isTensor = (v: unknown): v is EncodedTensor =>
  v !== null && typeof v === 'object' && (v as EncodedTensor).dtype === 'float32' && Array.isArray((v as EncodedTensor).shape) && typeof (v as EncodedTensor).data === 'string';

/** Every float32 tensor of the model content, by its path ("prototypes", "experts.0.W"), and the content with each replaced by a reference. */
function splitArrays(content: unknown): { arrays: NamedValues[]; rest: unknown } {
  const arrays: NamedValues[] = [];
  const walk = (v: unknown, path: string[]): unknown => {
    if (isTensor(v)) {
      const name = path.join('.');
      arrays.push({ name, locus: name, shape: [...v.shape], values: decodeTensor(v, name) });
      return { array: name };
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  return { arrays, rest: walk(content, []) };
}

const NEAREST = `

def nearest(x, prototypes=None):
    """Index of the nearest prototype (squared Euclidean distance; the first of equal ones) of each
    row of x ([n, ...] inputs, normalized as locus.json says), as Locus's predict does."""
    p = prototypes if prototypes is not None else read_arrays()["prototypes"]
    p = p.reshape(p.shape[0], -1).astype(np.float64)
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    d = (x * x).sum(1)[:, None] - 2 * x @ p.T + (p * p).sum(1)[None, :]
    return d.argmin(1)
`;

function modelPy(kind: string): string {
  const withNearest = kind === 'kmeans' || kind === 'som';
  return `"""A Locus ${kind} model's arrays (exported by Locus ${LOCUS_VERSION}).

Local models have no PyTorch twin to train further: this package holds their prototypes and weights as
arrays (weights.bin + weights.json, float32, no pickle) and the rest of the model file in locus.json,
where each array appears as {"array": name}.${withNearest ? '\nnearest(x) is the reference implementation of its prediction: the index of the nearest prototype.' : ''}

    import model
    arrays = model.read_arrays()      # name -> numpy array
"""
import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def read_arrays(folder=HERE):
    """Every array of weights.json + weights.bin, by name; refuses a .bin the manifest was not written with."""
    with open(os.path.join(folder, "${WEIGHTS_JSON}"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(folder, manifest["file"]), "rb") as f:
        data = f.read()
    if len(data) != manifest["bytes"] or hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        raise ValueError(f"{manifest['file']} does not match ${WEIGHTS_JSON} (length or SHA-256 differ)")
    out = {}
    for t in manifest["tensors"]:
        count = int(np.prod(t["shape"], dtype=np.int64))
        out[t["name"]] = np.frombuffer(data, dtype="<f4", count=count, offset=t["offset"]).reshape(t["shape"])
    return out
${withNearest ? NEAREST : ''}`;
}

/** A local model's package: model.py (arrays, nearest prototype for k-means and SOM), data.py, locus.json, weights. */
export function exportLocal(file: ModelFile): PytorchPackage {
  // Run the kind's own checks first: nothing Locus would refuse to open is exported.
  const check = { kmeans: kmeansFromFile, som: somFromFile, art: artFromFile, rbf: rbfFromFile, moe: moeFromFile }[file.kind as (typeof LOCAL_KINDS)[number]];
  if (!check) throw new PytorchExportError(`a "${file.kind}" model has no PyTorch export`);
  check(file);
  const { arrays, rest } = splitArrays(file.model);
  const { manifest, data } = encodeWeights(arrays);
  const info = {
    format: 'locus-pytorch-export',
    version: 1,
    kind: file.kind,
    locusVersion: LOCUS_VERSION,
    exportedFrom: { locusVersion: file.locusVersion, createdAt: file.createdAt },
    model: rest,
  };
  const files: PackageFile[] = [
    { name: 'model.py', data: modelPy(file.kind) },
    { name: 'data.py', data: DATA_PY },
    { name: 'locus.json', data: JSON.stringify(info, null, 1) + '\n' },
    { name: WEIGHTS_BIN, data },
    { name: WEIGHTS_JSON, data: JSON.stringify(manifest, null, 1) + '\n' },
  ];
  return { kind: file.kind, files, weights: data.byteLength / 4, manifest };
}
