/**
 * Test helpers for the PyTorch export: is Debian's python3 with torch here (else tests skip with the
 * reason), and run exported packages in PyTorch on given inputs, many packages in one Python process
 * (importing torch costs seconds).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

let status: string | null | undefined;

/** null when python3 with torch and numpy is usable, else why not (the reason a test skips). */
export function torchMissing(): string | null {
  if (status !== undefined) return status;
  if (!existsSync(PYTHON)) return (status = `${PYTHON} is missing (apt-get install python3-torch python3-numpy)`);
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  status = r.status === 0 ? null : `${PYTHON} cannot import torch and numpy (apt-get install python3-torch python3-numpy): ${(r.stderr || '').trim().split('\n').pop()}`;
  return status;
}

/** Runs each job's network (class `cls` of the package's model.py, weights from `dir` or `weights`) in eval mode on its input. */
const HARNESS = `
import importlib.util, json, sys
import numpy as np
import torch

torch.set_num_threads(1)
jobs = json.load(open(sys.argv[1]))
for i, job in enumerate(jobs):
    sys.path.insert(0, job["dir"])
    spec = importlib.util.spec_from_file_location(f"exported_model_{i}", job["dir"] + "/model.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    sys.path.pop(0)
    path = job.get("cls", "LocusClassifier").split(".")  # "LocusGan.generator": a part of a module
    net = getattr(m, path[0])()
    m.load_weights(net, job.get("weights", job["dir"]))
    for part in path[1:]:
        net = getattr(net, part)
    net.eval()
    x = np.fromfile(job["input"], dtype="<f4").reshape(job["shape"])
    with torch.no_grad():
        y = net(torch.from_numpy(x)).numpy().astype("<f4")
    y.tofile(job["output"])
    json.dump(list(y.shape), open(job["output"] + ".json", "w"))
`;

export interface TorchJob {
  dir: string;
  input: Float32Array;
  shape: number[];
  /** Class in model.py, or a part of one ("LocusGan.generator"); default LocusClassifier. */
  cls?: string;
  /** Folder of the weights (default: the package folder). */
  weights?: string;
}

/** Outputs of every job, computed by PyTorch; `tmp` holds the exchange files. */
export async function torchOutputs(tmp: string, jobs: TorchJob[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  const spec = await Promise.all(
    jobs.map(async (j, i) => {
      const input = join(tmp, `in-${i}.bin`);
      await writeFile(input, new Uint8Array(j.input.buffer, j.input.byteOffset, j.input.byteLength));
      return { dir: j.dir, input, output: join(tmp, `out-${i}.bin`), shape: j.shape, ...(j.cls ? { cls: j.cls } : {}), ...(j.weights ? { weights: j.weights } : {}) };
    }),
  );
  const jobsPath = join(tmp, 'jobs.json');
  await writeFile(jobsPath, JSON.stringify(spec));
  const harness = join(tmp, 'harness.py');
  await writeFile(harness, HARNESS);
  const r = spawnSync(PYTHON, [harness, jobsPath], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return Promise.all(
    spec.map(async (s) => {
      const b = await readFile(s.output);
      const data = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      return { shape: JSON.parse(await readFile(s.output + '.json', 'utf8')) as number[], data };
    }),
  );
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A free TCP port on 127.0.0.1 for torchrun's rendezvous. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * torchrun's arguments for `n` processes on 127.0.0.1. Debian 12's torchrun (PyTorch 1.13 on Python
 * 3.11) cannot parse its default stream settings, hence --redirects 1 --tee 1 (see train.py).
 */
export async function torchrunArgs(n: number): Promise<string[]> {
  return ['-m', 'torch.distributed.run', '--nproc_per_node', String(n), '--master_addr', '127.0.0.1', '--master_port', String(await freePort()), '--redirects', '1', '--tee', '1'];
}

/**
 * Whether a run of train.py trained and saved its checkpoint, then did not exit before its timeout:
 * PyTorch's process-group teardown hangs now and then under torchrun (pytorch/pytorch#75097, even after a
 * barrier). spawnSync then kills it: a signal, or (when torchrun's agent catches the SIGTERM and exits 1)
 * only the ETIMEDOUT error says so.
 */
export function hungAfterSaving(r: SpawnSyncReturns<string>): boolean {
  const killed = Boolean(r.signal) || (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return killed && /saved .*weights\.json/.test(r.stdout ?? '');
}
