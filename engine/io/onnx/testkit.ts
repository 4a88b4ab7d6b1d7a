/**
 * Test helpers for the ONNX export: run an exported model with onnxruntime-web's WebAssembly backend
 * under Node (a dev dependency, never used by the engine), and Debian's python3-onnx checker where
 * it is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;

/** Outputs of the model's one output on a float32 input of the given shape. */
export async function ortRun(bytes: Uint8Array, input: Float32Array, shape: readonly number[]): Promise<{ shape: number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, [...shape]) };
    const out = await session.run(feeds);
    const t = out[session.outputNames[0]];
    return { shape: [...t.dims], data: t.data as Float32Array };
  } finally {
    await session.release();
  }
}

const PYTHON = '/usr/bin/python3';
let missing: string | null | undefined;

/** null when python3 with onnx is here, else the reason a check skips. */
export function onnxCheckerMissing(): string | null {
  if (missing !== undefined) return missing;
  if (!existsSync(PYTHON)) return (missing = `${PYTHON} is missing (apt-get install python3-onnx)`);
  const r = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8', timeout: 60_000 });
  missing = r.status === 0 ? null : `${PYTHON} cannot import onnx (apt-get install python3-onnx)`;
  return missing;
}

/** onnx.checker.check_model (full_check: shape inference too) on each file; returns its stderr on failure. */
export function onnxCheck(paths: readonly string[]): { ok: boolean; message: string } {
  const code = 'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint("ok")';
  const r = spawnSync(PYTHON, ['-c', code, ...paths], { encoding: 'utf8', timeout: 120_000 });
  return { ok: r.status === 0, message: `${r.stdout}${r.stderr}` };
}
