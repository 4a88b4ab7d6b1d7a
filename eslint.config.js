import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const ENGINE_BOUNDARY = {
  paths: [{ name: 'electron', message: 'engine/ must not import electron' }],
  patterns: [
    // gitignore-style patterns: ** does not match a leading ../, so each depth is spelled out.
    { group: [1, 2, 3, 4, 5].flatMap((d) => [`${'../'.repeat(d)}electron/*`, `${'../'.repeat(d)}renderer/*`]), message: 'engine/ must not import from electron/ or renderer/' },
    { group: ['svelte', 'svelte/*', 'chart.js', 'chart.js/*'], message: 'engine/ is UI-free' },
  ],
};

/** Which engine folders each folder must not import (its lane: nothing above it, nothing beside it). */
const LANES = {
  'kernels': ['layers', 'optim', 'losses', 'models', 'session', 'local', 'io', 'worker', 'cli', 'bench'],
  'layers': ['models', 'session', 'worker', 'cli', 'bench'],
  // optim sees only {value, grad} refs: it may import the Param type from layers, nothing that runs them.
  'optim': ['losses', 'models', 'session', 'worker', 'cli', 'bench'],
  'losses': ['layers', 'optim', 'models', 'session', 'worker', 'cli', 'bench'],
  'models': ['session', 'worker', 'cli', 'bench'],
  'local': ['session', 'worker', 'cli', 'bench'],
  'io': ['session', 'worker', 'cli', 'bench'],
  'session': ['worker', 'cli', 'bench'],
  'worker': ['cli', 'bench'],
  'cli': ['worker', 'bench'],
  'protocol': ['core', 'kernels', 'layers', 'optim', 'losses', 'models', 'session', 'local', 'io', 'data', 'worker', 'cli', 'bench'],
};

/** Every folder of engine/ (the renderer may import protocol only). */
const ENGINE_FOLDERS = ['core', 'kernels', 'layers', 'optim', 'losses', 'models', 'local', 'io', 'data', 'session', 'worker', 'cli', 'bench', 'testing', 'protocol'];

function engineLanes() {
  const base = {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', ENGINE_BOUNDARY],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'HTMLElement'],
    },
  };
  // Tests may reach up (a kernel checked inside a whole model, an export checked through the CLI).
  const lanes = Object.entries(LANES).map(([folder, banned]) => ({
    files: [`engine/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/testkit.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ENGINE_BOUNDARY.paths,
          patterns: [
            ...ENGINE_BOUNDARY.patterns,
            ...banned.map((b) => ({ group: [`../${b}/*`, `../../${b}/*`, `../../../${b}/*`, `**/engine/${b}/*`], message: `engine/${folder} must not import engine/${b} (the lanes: kernels -> layers/optim/losses -> models -> session -> worker and cli)` })),
          ],
        },
      ],
    },
  }));
  return [base, ...lanes];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**'] },
  ...tseslint.configs.recommended,
  // Svelte components and rune modules: Svelte's own rules, their TypeScript parsed as TypeScript.
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // The stores keep big data in $state.raw and replace it whole; plain Map/Set there are by design.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  // The process boundary: the engine runs under plain Node (CLI, utility process, browser host) and
  // must not reach into the app shell, the renderer or the DOM. Inside it, each folder stays in its
  // lane: kernels -> layers/optim/losses -> models -> session -> worker and cli; protocol is the
  // contract and imports nothing else of the engine. Nothing imports upward or sideways across that.
  ...engineLanes(),
  {
    // The renderer talks to the engine only through the LabApi; it may import engine/protocol types.
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the renderer talks to main only through window.locus (LabApi)' }],
          patterns: [
            { group: ['node:*', 'fs', 'path', 'child_process'], message: 'the renderer is sandboxed: no Node modules' },
            // The patterns are gitignore-style (no extglobs) and a leading ../ is not matched by **, so
            // every engine folder but protocol, at every depth the renderer writes, is spelled out.
            {
              group: [1, 2, 3, 4, 5, 6].flatMap((d) => [...ENGINE_FOLDERS.filter((f) => f !== 'protocol').map((f) => `${'../'.repeat(d)}engine/${f}/*`), `${'../'.repeat(d)}electron/*`]),
              message: 'the renderer may import only engine/protocol',
            },
          ],
        },
      ],
    },
  },
);
