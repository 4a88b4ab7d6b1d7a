import { stat } from 'node:fs/promises';
import { ganFromFile } from '../io/gan.js';
import { classifierFromFile, readModelFile } from '../io/index.js';
import { sequenceFromFile } from '../io/sequence.js';
import { TfjsExportError, exportGeneratorTfjs, exportSequenceTfjs, exportTfjs, type TfjsExport } from '../io/tfjs.js';
import { writeTfjsFiles, writeTfjsJson } from '../io/tfjs-write.js';
import { ExportError, writeExternal } from '../io/exports.js';
import { oneOf, parse, required } from './args.js';
import { Output, UsageError } from './output.js';

export const usage = `locus export --model MODEL.json --out PATH [--format tfjs|tfjs-json|pytorch|onnx] [--probabilities] [--json]
  Export a saved classifier, a saved GAN's generator or a sequence model to TensorFlow.js's layers format
  or ONNX, or any of the three to PyTorch (a GAN with both its networks). A local model (kmeans, som, art,
  rbf, moe) exports to PyTorch as its arrays (weights.bin) with the rest of its file in locus.json.
  --format tfjs       (default) PATH is a folder: model.json + group1-shard1of1.bin
  --format tfjs-json  PATH is one JSON file with the weights in base64 (load it with tf.io.fromMemory)
  --format pytorch    PATH is a folder that is a Python package: model.py (nn.Module), weights.bin +
                      weights.json (float32, no pickle), data.py, train.py (continues training with
                      torch.distributed: \`torchrun --nproc_per_node N train.py --data DIR --epochs E\`) and
                      locus.json; \`locus import --format pytorch PATH\` reads it back
  --format onnx       PATH is one .onnx file (opset 17): images in as [batch, channels, height, width]
  --probabilities     a classifier outputs class probabilities (a softmax appended) instead of logits
  TensorFlow.js: a classifier takes images as [batch, height, width, channels], normalized as recorded in
  the model's userDefinedMetadata.locus (see docs/exports.md); a generator takes latent codes [batch, latent]
  and makes images [batch, height, width, channels]. ONNX and PyTorch keep Locus's [batch, channels, height,
  width] for images in and out. A sequence model takes [batch, steps, features] in every format.
  An earlier export at PATH is replaced only on success.`;

const FORMATS = ['tfjs', 'tfjs-json', 'pytorch', 'onnx'] as const;

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    probabilities: { type: 'boolean' },
  });
  const modelPath = required(v.model, 'model');
  const outPath = required(v.out, 'out');
  const format = oneOf(v.format, 'format', FORMATS, 'tfjs');
  const out = new Output(Boolean(v.json));
  const file = await readModelFile(modelPath);
  if (format === 'pytorch' || format === 'onnx') {
    if (format === 'pytorch' && v.probabilities) throw new UsageError('--probabilities is for the TensorFlow.js and ONNX formats; the PyTorch model outputs logits');
    let w;
    try {
      w = await writeExternal(file, format, outPath, { probabilities: Boolean(v.probabilities) });
    } catch (err) {
      if (err instanceof ExportError) throw new Error(`${modelPath}: ${err.message}`);
      throw err;
    }
    out.result(w.summary, { format, kind: w.kind, files: w.files, weights: w.weights, bytes: w.bytes });
    return 0;
  }
  let e: TfjsExport;
  try {
    if (file.kind === 'classifier') {
      e = exportTfjs(classifierFromFile(file), { probabilities: Boolean(v.probabilities) });
    } else if (file.kind === 'gan') {
      if (v.probabilities) throw new UsageError('--probabilities is for classifiers; a GAN exports its generator');
      const g = ganFromFile(file);
      e = exportGeneratorTfjs(g.gan.generator, { normalization: g.normalization });
    } else if (file.kind === 'sequence') {
      e = exportSequenceTfjs(sequenceFromFile(file), { probabilities: Boolean(v.probabilities) });
    } else {
      throw new Error(`${modelPath} is a "${file.kind}" model; export takes a classifier, a gan or a sequence model`);
    }
  } catch (err) {
    if (err instanceof TfjsExportError) throw new Error(`cannot export ${modelPath} to TensorFlow.js: ${err.message}`);
    throw err;
  }
  const weights = e.weightData.byteLength / 4;
  const layers = (e.modelJson.modelTopology.config as { layers: unknown[] }).layers.length;
  const topology = String(e.modelJson.modelTopology.class_name);
  let files: string[];
  let bytes: number;
  if (format === 'tfjs') {
    const st = await stat(outPath).catch(() => null);
    if (st && !st.isDirectory()) throw new Error(`--out ${outPath} is a file; the tfjs format writes a folder (or use --format tfjs-json)`);
    const w = await writeTfjsFiles(outPath, e);
    files = [w.modelPath, w.weightsPath];
    bytes = w.bytes;
  } else {
    bytes = await writeTfjsJson(outPath, e);
    files = [outPath];
  }
  out.result(
    `wrote ${files.join(' and ')}: ${topology} of ${layers} layers, ${weights.toLocaleString('en-US')} weights, ${bytes.toLocaleString('en-US')} bytes`,
    { format, kind: e.modelJson.userDefinedMetadata.locus.kind, files, topology, layers, weights, bytes },
  );
  return 0;
}
