import * as cluster from './cmd-cluster.js';
import * as data from './cmd-data.js';
import * as evalCmd from './cmd-eval.js';
import * as exportCmd from './cmd-export.js';
import * as importCmd from './cmd-import.js';
import * as info from './cmd-info.js';
import * as seq from './cmd-seq.js';
import * as predict from './cmd-predict.js';
import * as prune from './cmd-prune.js';
import * as grow from './cmd-grow.js';
import * as train from './cmd-train.js';
import * as gan from './cmd-gan.js';
import * as sample from './cmd-sample.js';
import * as runs from './cmd-runs.js';
import * as experiment from './cmd-experiment.js';

export interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: Record<string, Command> = { data, train, cluster, eval: evalCmd, predict, info, prune, grow, export: exportCmd, import: importCmd, gan, sample, seq, runs, experiment };

export const USAGE = `usage: locus <command> [options]

commands:
  data DIR            what the loader makes of an image folder (classes, counts, skipped files)
  train               train a classifier (mlp, lenet5, vgg, resnet, highway, rbf, moe) on an image folder
  cluster             cluster an image folder or a 2-D toy set (kmeans, art, art2a, som) and save it
  eval                accuracy and confusion matrix of a saved model on an image folder
  predict             classify image files with a saved model
  info MODEL          describe a saved model file
  seq                 train a sequence model (RNN, LSTM, GRU, time-delay) on image rows or generated series
  prune               magnitude pruning of a saved classifier (weights or whole units), accuracy before and after
  grow                grow a saved classifier (units of a dense layer, or a residual/identity layer) keeping its function
  export              write a saved classifier, GAN generator or sequence model in TensorFlow.js's layers format or ONNX, or as a PyTorch package
  import              read a model back from a PyTorch package (after train.py) into a Locus model file
  gan                 train a DCGAN on an image folder and save it as JSON
  sample              draw new images from a saved GAN into a PNG grid
  runs                the workspace's runs (from the app and locus train): list, show, compare, rename, remove, export
  experiment          controlled experiments (one idea, 2-6 variants, same seed): list, show, run, with a report

Every command takes --json (one JSON object a line) and --help.
Exit codes: 0 done, 1 failure, 2 usage error.
`;
