/** Why a model file was refused (or could not be written): one line, meant for the user. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  /** The reason alone, without the file path. */
  readonly reason: string;
  readonly path: string | undefined;

  constructor(reason: string, path?: string) {
    super(path ? `${path}: ${reason}` : reason);
    this.reason = reason;
    this.path = path;
  }
}

/** Any error as a ModelFileError whose reason starts with prefix (first line of the message only). */
export function asModelFileError(e: unknown, prefix = ''): ModelFileError {
  if (e instanceof ModelFileError && !prefix) return e;
  const msg = e instanceof ModelFileError ? e.reason : e instanceof Error ? e.message : String(e);
  return new ModelFileError(prefix + msg.split('\n')[0]);
}
