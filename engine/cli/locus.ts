/**
 * The `locus` command line: the engine in-process, no app needed.
 * Exit codes: 0 done, 1 failure (one-line reason), 2 usage error (with the usage).
 */
import { COMMANDS, USAGE } from './commands.js';
import { UsageError } from './output.js';

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === 'version') {
    process.stdout.write(`locus ${process.env.npm_package_version ?? VERSION}\n`);
    return 0;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!command) {
    process.stderr.write(`locus: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(command.usage + '\n');
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`locus ${cmd}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    const err = e as Error;
    const msg = (err && err.message) || String(e);
    process.stderr.write(`locus ${cmd}: ${msg.split('\n')[0]}\n`);
    if (process.env.LOCUS_DEBUG) process.stderr.write(String(err.stack) + '\n');
    return 1;
  }
}

const VERSION = '0.1.0';
