/** What a "gan" model file holds, in words: the Models view names it this way instead of only refusing it. */
import type { GanFile } from '../../io/gan.js';

export function describeGanFile(file: GanFile): string {
  const { input, latent, training, generator } = file.model;
  const colour = input.channels === 1 ? 'greyscale' : `${input.channels}-channel`;
  const epochs = training.history.length;
  const trained = epochs ? `, trained ${epochs} epoch${epochs === 1 ? '' : 's'}` : '';
  const resume = generator.optimizer ? ', with optimizer states to resume from' : '';
  return `a GAN making ${input.width}x${input.height} ${colour} images from ${latent} latent values${trained}${resume}`;
}
