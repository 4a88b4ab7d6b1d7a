// Entry of the built `locus` command (dist/cli/locus.js).
import { main } from './locus.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`locus: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
