/**
 * What the "Try the experiment" links beside the settings (components/TryExperiment.svelte) need from
 * the app: the experiments behind a setting key ("train.activation") and a way to open one in the
 * Experiments view. App.svelte provides it once; the settings components need no new props.
 */
import { getContext, setContext } from 'svelte';
import type { ExperimentInfo } from '../../../engine/protocol/experiments.js';

export interface ExperimentLinks {
  find(setting: string): ExperimentInfo[];
  open(id: string): void;
  /** Read an experiment file and show it in the Experiments view. */
  openFile?(path: string): void;
}

const KEY = Symbol('experiment-links');

export const provideExperimentLinks = (links: ExperimentLinks): ExperimentLinks => setContext(KEY, links);
/** The links, or undefined where no app provides them (a component rendered on its own). */
export const experimentLinks = (): ExperimentLinks | undefined => getContext<ExperimentLinks | undefined>(KEY);
