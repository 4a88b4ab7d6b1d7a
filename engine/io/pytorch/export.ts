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
import { Rng } from '../../core/rng.js';
import { makeSeries } from '../../data/series.js';
import { classifierFromFile, type ClassifierContent } from '../classifier.js';
import { ganFromFile, type GanContent } from '../gan.js';
import { sequenceFromFile, type SequenceContent } from '../sequence.js';
import { LOCUS_VERSION, type ModelFile } from '../format.js';
import { namedTensors } from '../named.js';
import { DATA_PY } from './data-py.js';
import { exportLocal, LOCAL_KINDS } from './local.js';
import { chainCode, PytorchExportError, type TensorRule } from './layers.js';
import { MODEL_PY_LIBRARY, networkClass } from './model-py.js';
import { TRAIN_CLASSIFIER_PY, TRAIN_GAN_PY, TRAIN_SEQUENCE_PY } from './train-py.js';
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

const loadFn = (name: string) => `

def load(folder=HERE):
    """The network with the weights in folder (this package's by default), in eval mode."""
    net = ${name}()
    load_weights(net, folder)
    return net.eval()
`;

function exportInfo(kind: string, file: ModelFile, model: Record<string, unknown>): PytorchExportInfo {
  return {
    format: PYTORCH_EXPORT_FORMAT,
    version: 1,
    kind,
    locusVersion: LOCUS_VERSION,
    exportedFrom: { locusVersion: file.locusVersion, createdAt: file.createdAt },
    model,
  };
}

/** The fit a model's training images were resized with (training.settings.load.fit), 'cover' when it recorded none. */
export const fitOf = (settings: unknown): 'cover' | 'contain' | 'fill' => {
  const f = (settings as { load?: { fit?: unknown } } | null)?.load?.fit;
  return f === 'contain' || f === 'fill' ? f : 'cover';
};

/** A classifier, GAN or sequence model file as a PyTorch package. */
export function exportPytorch(file: ModelFile): PytorchPackage {
  if (file.kind === 'gan') return exportGan(file);
  if (file.kind === 'sequence') return exportSequence(file);
  if ((LOCAL_KINDS as readonly string[]).includes(file.kind)) return exportLocal(file);
  if (file.kind !== 'classifier') {
    throw new PytorchExportError(`a "${file.kind}" model has no PyTorch export (classifiers, GANs, sequence models and local models have one)`);
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
  const model = { architecture: c.architecture, input: c.input, normalization: c.normalization, classes: c.classes, fit: fitOf(c.training.settings), training: c.training };
  return assemble('classifier', exportInfo('classifier', file, model), net.tensors, [cls], loadFn('LocusClassifier'), TRAIN_CLASSIFIER_PY);
}

/** A GAN: Generator and Discriminator in one LocusGan module ("generator.0.weight"...), both trained by train.py. */
function exportGan(file: ModelFile): PytorchPackage {
  const loaded = ganFromFile(file);
  const c = file.model as GanContent;
  const g = networkExport(loaded.gan.generator, 'generator.');
  const d = networkExport(loaded.gan.discriminator, 'discriminator.');
  const { channels, height, width } = loaded.input;
  const gen = loaded.gan.generator;
  const classes = [
    networkClass({ name: 'Generator', doc: 'The generator: latent codes drawn from N(0, 1) in, images out (normalized as locus.json says).', input: gen.inputShape, output: gen.outputShape, modules: g.modules }),
    networkClass({ name: 'Discriminator', doc: 'The discriminator: images in, one logit (real rather than generated) out.', input: [channels, height, width], output: loaded.gan.discriminator.outputShape, modules: d.modules }),
    `class LocusGan(nn.Module):
    """Both networks; tensor names are "generator.<Locus path>" and "discriminator.<Locus path>"."""

    latent = ${loaded.gan.latent}

    def __init__(self):
        super().__init__()
        self.generator = Generator()
        self.discriminator = Discriminator()

    def sample(self, n, generator=None):
        """n new images from codes drawn from a standard normal."""
        z = torch.randn(n, self.latent, generator=generator, device=next(self.parameters()).device)
        return self.generator(z)
`,
  ];
  const model = {
    generator: { architecture: c.generator.architecture },
    discriminator: { architecture: c.discriminator.architecture },
    latent: c.latent,
    input: c.input,
    normalization: c.normalization,
    fit: fitOf(c.training.settings),
    training: c.training,
  };
  return assemble('gan', exportInfo('gan', file, model), [...g.tensors, ...d.tensors], classes, loadFn('LocusGan'), TRAIN_GAN_PY);
}

/**
 * A sequence model. Image rows are read from an image folder by data.py; a generated series is
 * written into the package (series.bin + series.json: a fresh set from the same generator with the
 * training seed and size), since Python does not have Locus's generators.
 */
function exportSequence(file: ModelFile): PytorchPackage {
  const loaded = sequenceFromFile(file);
  const c = file.model as SequenceContent;
  const net = networkExport(loaded.model);
  const what = c.task === 'classify' ? `${c.classes.length} class logits` : `${c.outputs} regression outputs`;
  const cls = networkClass({
    name: 'LocusSequence',
    doc: `A Locus sequence model over [steps, features] (${what} out).`,
    input: loaded.model.inputShape,
    output: loaded.model.outputShape,
    modules: net.modules,
  });
  const model: Record<string, unknown> = { architecture: c.architecture, data: c.data, task: c.task, classes: c.classes, outputs: c.outputs, training: c.training };
  if (c.data.source === 'rows') model.fit = c.data.fit ?? 'cover';
  const pkg = assemble('sequence', exportInfo('sequence', file, model), net.tensors, [cls], loadFn('LocusSequence'), TRAIN_SEQUENCE_PY);
  if (c.data.source === 'series') pkg.files.splice(3, 0, ...seriesFiles(c));
  return pkg;
}

/** series.bin (x [n, steps, features] then y, float32 little-endian) and series.json describing it. */
function seriesFiles(c: SequenceContent): PackageFile[] {
  if (c.data.source !== 'series') return [];
  const n = Number((c.training.settings as { n?: unknown }).n);
  const set = makeSeries(c.data.series, Number.isInteger(n) && n > 0 && n <= 100_000 ? n : 2000, new Rng(c.training.seed));
  const y = set.labels ? Float32Array.from(set.labels) : set.targets!;
  const values = new Float32Array(set.x.length + y.length);
  values.set(set.x);
  values.set(y, set.x.length);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  const meta = {
    format: 'locus-series',
    version: 1,
    series: c.data.series,
    seed: c.training.seed,
    task: c.task,
    x: { offset: 0, shape: [set.n, set.steps, set.features] },
    y: { offset: set.x.length * 4, shape: set.labels ? [set.n] : [set.n, set.outputs], meaning: set.labels ? 'class index' : 'targets' },
  };
  return [
    { name: 'series.bin', data: bytes },
    { name: 'series.json', data: JSON.stringify(meta, null, 1) + '\n' },
  ];
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
