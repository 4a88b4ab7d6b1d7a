/**
 * Count and article forms for messages, in the engine and the renderer alike: "1 epoch", "2 epochs",
 * "an LSTM", "a GRU".
 */

/** "1 epoch", "3 epochs", "1 class", "2 classes" (irregular plurals passed as `many`). */
export function plural(n: number, one: string, many = /(ss|x|sh|tch)$/.test(one) ? `${one}es` : `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

// Letters whose spoken name starts with a vowel sound: an F, an LSTM, an MLP, an RNN, an SOM.
const VOWEL_LETTERS = new Set('AEFHILMNORSX');

/** The word with "a" or "an" before it, by its sound: an epoch, a unit, an LSTM, a GRU, an 8-bit image. */
export function withArticle(word: string): string {
  const w = word.trim();
  const first = w.split(/[\s-]/)[0];
  let an: boolean;
  if (/^[A-Z]{2,}/.test(first)) an = VOWEL_LETTERS.has(first[0]);
  else if (/^(8|11|18)/.test(first)) an = true;
  else if (/^(uni|use|usu|eu|one|once)/i.test(first)) an = false;
  else if (/^(hour|honest|honou?r)/i.test(first)) an = true;
  else an = /^[aeiou]/i.test(first);
  return `${an ? 'an' : 'a'} ${w}`;
}
