/**
 * What the layers of the current model see for one image of the loaded folder: the first layer's
 * filters (engine/session/telemetry.ts draws them), the feature maps at every layer with an image
 * output, and the class probabilities. Works for a model being trained and for an imported one.
 */
import { Rng } from '../../core/rng.js';
import { tensor } from '../../core/tensor.js';
import { normalizeInto } from '../../data/normalize.js';
import { LabError, type Inspection } from '../../protocol/contract.js';
import { softmaxRow } from '../../session/evaluate.js';
import { featureMaps, firstLayerFilters } from '../../session/telemetry.js';
import { workspace } from '../workspace.js';
import { modelStore } from '../../session/current-model.js';

export function inspectImage(index: number): Inspection {
  const data = workspace.data;
  if (!data) throw new LabError({ message: 'no folder is loaded', code: 'unavailable' });
  const m = modelStore.get();
  if (!m) throw new LabError({ message: 'there is no model yet: train or import one', code: 'unavailable' });
  const { set } = data.result;
  if (index >= set.n) throw new LabError({ message: `image ${index} is not in the folder (${set.n} images)`, code: 'invalid' });
  const { channels, height, width } = m.input;
  if (channels !== set.channels || height !== set.height || width !== set.width) {
    throw new LabError({ message: `the model takes ${channels}x${height}x${width} images; the folder is loaded as ${set.channels}x${set.height}x${set.width}`, code: 'invalid' });
  }
  const per = channels * height * width;
  const pixels = set.pixels.slice(index * per, (index + 1) * per);
  const x = tensor([1, channels, height, width]);
  normalizeInto(pixels, 0, 1, channels, height * width, m.normalization, x.data);
  const logits = m.model.predict(x, new Rng(0));
  const root = data.result.root.replace(/[\\/]+$/, '');
  const path = set.paths[index] ?? '';
  return {
    image: { channels, height, width, pixels, label: set.labels[index], name: path.startsWith(root) ? path.slice(root.length + 1) : path },
    filters: firstLayerFilters(m.model),
    maps: featureMaps(m.model, x),
    probabilities: softmaxRow(logits.data, 0, logits.data.length),
  };
}
