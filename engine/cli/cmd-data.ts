import { parse, required } from './args.js';
import { LOAD_OPTIONS, LOAD_USAGE, loadFolder, loadOptions } from './load.js';
import { Output, table } from './output.js';

export const usage = `locus data DIR [options]
  Show what Locus makes of an image folder: classes (first-level subfolders) with counts, the image
  size, and every file that was skipped with its reason.
${LOAD_USAGE}
  --json            print one JSON object {root, classes, loaded, unlabeled, size, skipped}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, LOAD_OPTIONS, true);
  const dir = required(positionals[0], 'DIR (the folder)');
  const out = new Output(Boolean(values.json));
  const r = await loadFolder(dir, loadOptions(values), out);
  const { set } = r;
  const classes = set.classes.map((name, i) => ({ name, count: r.counts[i] }));
  if (out.json) {
    out.result('', {
      root: r.root,
      classes,
      loaded: set.n,
      unlabeled: r.unlabeled,
      size: { width: set.width, height: set.height, channels: set.channels },
      cacheHits: r.cacheHits,
      skipped: r.skipped,
    });
    return 0;
  }
  const lines = [`${r.root}`, `${set.n} images loaded at ${set.width}x${set.height}, ${set.channels === 1 ? 'grayscale' : 'RGB'}` + (r.cacheHits ? ` (${r.cacheHits} from the cache)` : '')];
  if (classes.length) {
    lines.push('', `${classes.length} classes:`, table(classes.map((c) => ['  ' + c.name, c.count]), ['l', 'r']));
  }
  if (r.unlabeled) lines.push('', `${r.unlabeled} unlabeled images (directly in the folder)`);
  if (r.skipped.length) {
    lines.push('', `${r.skipped.length} files skipped:`);
    for (const s of r.skipped) lines.push(`  ${s.path}: ${s.reason}`);
  } else lines.push('', 'no files skipped');
  out.result(lines.join('\n'));
  return 0;
}
