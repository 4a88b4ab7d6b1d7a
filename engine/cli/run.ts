// Entry of the built `locus` command (dist/cli/locus.js).
import { main } from './locus.js';

// A reader that goes away (`locus predict DIR | head`) is not an error of the command: what it still
// prints is dropped and the work (a training run and its model file) finishes. Other stream errors are.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`locus: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
