/** Reading and writing model files on disk. */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic, type AtomicSteps } from './atomic.js';
import { asModelFileError, ModelFileError } from './errors.js';
import type { ModelFile } from './format.js';
import { LIMITS } from './limits.js';
import { checkModelFile, parseModel } from './parse.js';

/** Read and check a model file; throws ModelFileError (message "<path>: <reason>"). */
export async function readModelFile(path: string): Promise<ModelFile> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ModelFileError('not a file');
    if (st.size > LIMITS.maxFileBytes) throw new ModelFileError(`file is ${st.size} bytes, at most ${LIMITS.maxFileBytes} allowed`);
    return parseModel(await readFile(path, 'utf8'));
  } catch (e) {
    const err = e instanceof ModelFileError ? e : asModelFileError(e, 'cannot read the file: ');
    throw new ModelFileError(err.reason, path);
  }
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
  try {
    await writeFileAtomic(path, text + '\n', steps);
  } catch (e) {
    throw new ModelFileError(`cannot write the file: ${(e as Error).message}`, path);
  }
}
