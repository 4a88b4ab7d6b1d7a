/** The engine as a child_process.fork child (browser host and tests), seen as a supervisor's EngineProcess. */
import { fork } from 'node:child_process';
import type { EngineProcess } from '../core/supervisor.js';

export interface ForkOptions {
  env?: NodeJS.ProcessEnv;
  /** Node flags for the child, e.g. ['--import', 'tsx'] to run engine/worker/entry.ts unbuilt. */
  execArgv?: string[];
}

export function forkEngine(entry: string, opts: ForkOptions = {}): EngineProcess {
  const child = fork(entry, [], {
    env: opts.env ?? process.env,
    execArgv: opts.execArgv ?? [],
    serialization: 'advanced', // structured clone: typed arrays cross as they are
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exitListener: ((detail: string) => void) | null = null;
  let exited: string | null = null;
  const report = (detail: string): void => {
    if (exited !== null) return;
    exited = detail;
    exitListener?.(detail);
  };
  child.on('exit', (code, signal) => report(signal ? `signal ${signal}` : `exit code ${code}`));
  child.on('error', (e) => {
    report(`could not run: ${e.message}`);
    child.kill();
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      if (child.connected) child.send(m as never);
    },
    onMessage: (l) => void child.on('message', (m: unknown) => l(m)),
    onExit: (l) => {
      exitListener = l;
      if (exited !== null) l(exited);
    },
    kill: () => void child.kill(),
  };
}
