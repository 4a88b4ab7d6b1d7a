/**
 * Export to PyTorch: a folder that is a small Python package (see "Take it further" in docs/):
 *  - model.py:  the network as an nn.Module whose module names are Locus's layer paths, plus
 *               load_weights/save_weights for the weight files;
 *  - weights.bin + weights.json: every tensor as little-endian float32 and its manifest (no pickle);
 *  - data.py:   Locus's image folder convention, fit and normalization (classifiers);
 *  - train.py:  continues training with torch.distributed (DistributedDataParallel), saving a
 *               checkpoint in the same weight format;
 *  - locus.json: what Locus knows beyond the tensors (architecture, classes, input, normalization,
 *               training record), which `locus import --format pytorch` needs to rebuild the model file.
 */
import type { Sequential } from '../../models/sequential.js';
import { classifierFromFile } from '../classifier.js';
import type { ClassifierContent } from '../classifier.js';
import { LOCUS_VERSION, type ModelFile } from '../format.js';
import { namedTensors } from '../named.js';
import { DATA_PY } from './data-py.js';
import { chainCode, PytorchExportError, type TensorRule } from './layers.js';
import { MODEL_PY_LIBRARY, networkClass } from './model-py.js';
import { TRAIN_CLASSIFIER_PY } from './train-py.js';
import { encodeWeights, WEIGHTS_BIN, WEIGHTS_JSON, type NamedValues, type WeightManifest } from './weights.js';

export { PytorchExportError };

export const PYTORCH_EXPORT_FORMAT = 'locus-pytorch-export';
export const LOCUS_JSON = 'locus.json';

/** One file of the package: text or bytes. */
export interface PackageFile {
  name: string;
  data: string | Uint8Array;
}

export interface PytorchPackage {
  kind: string;
  files: PackageFile[];
  /** Number of float32 values in weights.bin. */
  weights: number;
  manifest: WeightManifest;
}

/** locus.json: the export's description of the model without its tensors. */
export interface PytorchExportInfo {
  format: typeof PYTORCH_EXPORT_FORMAT;
  version: 1;
  kind: string;
  locusVersion: string;
  exportedFrom: { locusVersion: string; createdAt: string };
  /** The model file's `model` content without params, buffers, masks and optimizer, plus `fit`. */
  model: Record<string, unknown>;
}

/** A network's Python code and tensors, its module paths under `prefix` ("" or "generator."). */
export interface NetworkExport {
  modules: string[];
  rules: TensorRule[];
  tensors: NamedValues[];
}

/** The modules of a Sequential network and its tensors in PyTorch's names and layouts. */
export function networkExport(model: Sequential, prefix = ''): NetworkExport {
  const { modules, rules } = chainCode(model.layers, '', '            ');
  const { params, buffers } = namedTensors(model.layers);
  const locus = new Map<string, Float32Array>();
  for (const { name, item } of [...params, ...buffers]) locus.set(name, item.value);
  const used = new Set<string>();
  const tensors: NamedValues[] = [];
  for (const r of rules) {
    const values = r.locus.map((n) => {
      const v = locus.get(n);
      if (!v) throw new PytorchExportError(`the network has no tensor ${n}`);
      used.add(n);
      return v;
    });
    const out = r.toTorch(values);
    r.torch.forEach((t, i) => tensors.push({ name: prefix + t.name, locus: r.locus.map((n) => prefix + n).join(' + '), shape: t.shape, values: out[i] }));
  }
  const left = [...locus.keys()].filter((n) => !used.has(n));
  if (left.length) throw new PytorchExportError(`tensors with no PyTorch place: ${left.join(', ')}`);
  return { modules, rules, tensors };
}

/** A classifier model file as a PyTorch package. */
export function exportPytorch(file: ModelFile): PytorchPackage {
  if (file.kind !== 'classifier') {
    throw new PytorchExportError(`a "${file.kind}" model has no PyTorch export yet (classifiers have one)`);
  }
  const loaded = classifierFromFile(file);
  const c = file.model as ClassifierContent;
  const net = networkExport(loaded.model);
  const { channels, height, width } = loaded.input;
  const cls = networkClass({
    name: 'LocusClassifier',
    doc: `A Locus classifier of ${loaded.classes.length} classes (logits out; softmax them for probabilities).`,
    input: [channels, height, width],
    output: loaded.model.outputShape,
    network: loaded.model.inputShape,
    modules: net.modules,
  });
  const load = (name: string) => `

def load(folder=HERE):
    """The network with the weights in folder (this package's by default), in eval mode."""
    net = ${name}()
    load_weights(net, folder)
    return net.eval()
`;
  const settings = c.training.settings as { load?: { fit?: unknown } };
  const fit = typeof settings.load?.fit === 'string' ? settings.load.fit : 'cover';
  const info: PytorchExportInfo = {
    format: PYTORCH_EXPORT_FORMAT,
    version: 1,
    kind: 'classifier',
    locusVersion: LOCUS_VERSION,
    exportedFrom: { locusVersion: file.locusVersion, createdAt: file.createdAt },
    model: {
      architecture: c.architecture,
      input: c.input,
      normalization: c.normalization,
      classes: c.classes,
      fit,
      training: c.training,
    },
  };
  return assemble('classifier', info, net.tensors, [cls], load('LocusClassifier'), TRAIN_CLASSIFIER_PY);
}

function assemble(kind: string, info: PytorchExportInfo, tensors: NamedValues[], classes: string[], tail: string, train: string): PytorchPackage {
  const { manifest, data } = encodeWeights(tensors);
  const names = tensors.map((t) => `    ${JSON.stringify(t.name)}: ${JSON.stringify(t.locus)},`).join('\n');
  const modelPy =
    `"""A Locus ${kind} as PyTorch modules (exported by Locus ${LOCUS_VERSION}).\n\n` +
    `Module names are Locus's layer positions: module "3.0" is layer 0 inside layer 3, so the tensor\n` +
    `Locus calls "3.0.W" is "3.0.weight" here (LOCUS_NAMES lists every one).\n\n` +
    `    import model\n    net = model.load()          # weights from weights.json + weights.bin, eval mode\n"""\n` +
    MODEL_PY_LIBRARY +
    `\n\nHERE = os.path.dirname(os.path.abspath(__file__))\n\n# PyTorch tensor name -> the Locus tensor(s) it holds ("a + b": PyTorch splits one Locus bias in two).\nLOCUS_NAMES = {\n${names}\n}\n\n\n` +
    classes.join('\n\n') +
    tail;
  const files: PackageFile[] = [
    { name: 'model.py', data: modelPy },
    { name: 'data.py', data: DATA_PY },
    { name: 'train.py', data: train },
    { name: LOCUS_JSON, data: JSON.stringify(info, null, 1) + '\n' },
    { name: WEIGHTS_BIN, data },
    { name: WEIGHTS_JSON, data: JSON.stringify(manifest, null, 1) + '\n' },
  ];
  return { kind, files, weights: data.byteLength / 4, manifest };
}
