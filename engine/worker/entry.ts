/**
 * The engine process: started by Electron main as a utility process, or by the browser host (and the
 * tests) with child_process.fork. It serves the contract's engine methods over its parent link.
 */
import { handlers } from './handlers/index.js';
import { parentPort } from './port.js';
import { serve } from './server.js';
import { workspace } from './workspace.js';

const port = parentPort();
if (!port) {
  console.error('locus engine: no parent process to talk to (start it from the app, the host or a test)');
  process.exit(2);
}
workspace.setSink(serve(port, handlers));
// Saved runs are listed from the start (a renderer that reloads or an engine that restarted finds them).
void workspace.runs.load();
// A forked engine whose parent went away has no one to work for.
if (port.kind === 'fork') process.on('disconnect', () => process.exit(0));
