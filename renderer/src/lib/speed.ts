/**
 * The speed control of the toy views (the 2-D GAN, Train on a 2-D toy set): a few stops from slow motion
 * to full speed, each a delay per step that the engine waits (train.speed, gan.speed).
 */
export const SPEEDS = [
  { delay: 1000, label: '1 step a second' },
  { delay: 250, label: '4 steps a second' },
  { delay: 60, label: 'about 16 steps a second' },
  { delay: 15, label: 'about 60 steps a second' },
  { delay: 0, label: 'full speed' },
] as const;

/** The stop whose delay is nearest to `delay`. */
export function speedIndex(delay: number): number {
  let best = 0;
  for (let i = 1; i < SPEEDS.length; i++) if (Math.abs(SPEEDS[i].delay - delay) < Math.abs(SPEEDS[best].delay - delay)) best = i;
  return best;
}
