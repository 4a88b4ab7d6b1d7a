// `node --import ./scripts/svelte-runes.mjs`: registers the hooks that compile *.svelte.ts stores.
import { register } from 'node:module';
register('./svelte-runes-hooks.mjs', import.meta.url);
