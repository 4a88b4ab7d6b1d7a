/** Reading and writing model files on disk. */
import { readFile, stat } from 'node:fs/promises';
import { writeFailure, writeFileAtomic, type AtomicSteps } from './atomic.js';
import { asModelFileError, ModelFileError } from './errors.js';
import type { ModelFile } from './format.js';
import { LIMITS } from './limits.js';
import { checkModelFile, parseModelJson } from './parse.js';

/** Read and check a model file; throws ModelFileError (message "<path>: <reason>"). */
export async function readModelFile(path: string): Promise<ModelFile> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ModelFileError('not a file');
    if (st.size > LIMITS.maxFileBytes) throw new ModelFileError(`file is ${st.size} bytes, at most ${LIMITS.maxFileBytes} allowed`);
    // Parsed in a function of its own so the text (up to the byte limit) is garbage before the model
    // is built from the parsed value.
    const value = await readJson(path);
    checkModelFile(value, true);
    return value;
  } catch (e) {
    const err = e instanceof ModelFileError ? e : asModelFileError(e, 'cannot read the file: ');
    throw new ModelFileError(err.reason, path);
  }
}

async function readJson(path: string): Promise<unknown> {
  return parseModelJson((await readFile(path)).toString('utf8'));
}

/**
 * Check the model (the same checks as import, so nothing unreadable is ever written), then write it
 * atomically: an earlier file at path is replaced whole or not at all.
 */
export async function writeModelFile(path: string, model: ModelFile, steps?: Partial<AtomicSteps>): Promise<void> {
  try {
    checkModelFile(model);
  } catch (e) {
    throw new ModelFileError(`refusing to write an invalid model: ${asModelFileError(e).reason}`, path);
  }
  const text = JSON.stringify(model, null, 1);
  const bytes = Buffer.byteLength(text, 'utf8') + 1;
  if (bytes > LIMITS.maxFileBytes) {
    throw new ModelFileError(`refusing to write ${bytes} bytes: a model file holds at most ${LIMITS.maxFileBytes} (it could not be read back)`, path);
  }
  try {
    await writeFileAtomic(path, text + '\n', steps);
  } catch (e) {
    throw new ModelFileError(`cannot write the file: ${writeFailure(e, path)}`, path);
  }
}
