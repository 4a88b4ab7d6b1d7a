/* eslint-disable @typescript-eslint/no-explicit-any -- parsed JSON output lines */
/** Test helpers for the CLI: run `locus` in-process and capture what it prints. */
import { main } from './locus.js';

/** Run the CLI in-process; returns the exit code, stdout lines parsed as JSON (when --json) and stderr. */
export async function locus(...argv: string[]): Promise<{ code: number; json: Record<string, any>[]; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write;
  const w2 = process.stderr.write;
  // Capture the CLI's text; anything else (the test runner's own binary messages) passes through.
  const capture = (buf: string[], orig: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((s: unknown, ...rest: unknown[]) => (typeof s === 'string' ? (buf.push(s), true) : (orig as (...a: unknown[]) => boolean).call(stream, s, ...rest))) as typeof process.stdout.write;
  process.stdout.write = capture(out, w1, process.stdout);
  process.stderr.write = capture(err, w2, process.stderr);
  let code: number;
  try {
    code = await main(argv);
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
  const stdout = out.join('');
  const json = argv.includes('--json') ? stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { code, json, stdout, stderr: err.join('') };
}

export const last = (r: { json: Record<string, any>[] }) => r.json[r.json.length - 1];
