/**
 * The Train form's checks, in words, all at once: every field outside its range is named with the range
 * the engine accepts (engine/protocol/contract.ts's TrainConfig; train-form.test.ts holds the two
 * together), so Train stays disabled until the form makes sense and no raw guard message reaches a person.
 */
export interface FieldError {
  field: string;
  message: string;
}

interface Range {
  label: string;
  min: number;
  max: number;
  int?: boolean;
  /** The lower bound itself is not allowed (a learning rate of 0 learns nothing). */
  above?: boolean;
}

/** The ranges TrainConfig's guard accepts, with the names the form shows. */
export const FIELD_RANGES: Record<string, Range> = {
  lr: { label: 'Learning rate', min: 0, max: 10, above: true },
  momentum: { label: 'Momentum', min: 0, max: 0.9999 },
  weightDecay: { label: 'Weight decay', min: 0, max: 10 },
  epochs: { label: 'Epochs', min: 1, max: 10_000, int: true },
  batchSize: { label: 'Batch', min: 1, max: 4096, int: true },
  seed: { label: 'Seed', min: 0, max: 0xffffffff, int: true },
  clipNorm: { label: 'Clip gradients', min: 0, max: 1e9 },
  patience: { label: 'Early stop patience', min: 0, max: 10_000, int: true },
  dropout: { label: 'Dropout', min: 0, max: 0.95 },
  inputDropout: { label: 'Input dropout', min: 0, max: 0.95 },
  hintWeight: { label: 'Hint weight λ', min: 0, max: 1000 },
};

export function checkField(field: string, value: unknown): string | null {
  const r = FIELD_RANGES[field];
  if (!r) return null;
  const range = `${r.above ? `more than ${r.min}` : `at least ${r.min}`} and at most ${r.max}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${r.label} must be a number ${range}`;
  if (r.int && !Number.isInteger(value)) return `${r.label} must be a whole number, ${range}`;
  if (value < r.min || value > r.max || (r.above && value === r.min)) return `${r.label} must be ${range} (it is ${value})`;
  return null;
}

/** Every invalid field of the form (empty when it can be sent). */
export function formErrors(form: Record<string, unknown>, fields: readonly string[] = Object.keys(FIELD_RANGES)): FieldError[] {
  const out: FieldError[] = [];
  for (const field of fields) {
    if (!(field in form)) continue;
    const message = checkField(field, form[field]);
    if (message) out.push({ field, message });
  }
  return out;
}
