import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The process boundary: the engine runs under plain Node (CLI, utility process, browser host) and
    // must not reach into the app shell, the renderer or the DOM.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'engine/ must not import electron' }],
          patterns: [
            { group: ['**/electron/**', '**/renderer/**'], message: 'engine/ must not import from electron/ or renderer/' },
            { group: ['svelte', 'svelte/*', 'chart.js', 'chart.js/*'], message: 'engine/ is UI-free' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'HTMLElement'],
    },
  },
  {
    // The renderer talks to the engine only through the LabApi; it may import engine/protocol types.
    files: ['renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the renderer talks to main only through window.locus (LabApi)' }],
          patterns: [
            { group: ['node:*', 'fs', 'path', 'child_process'], message: 'the renderer is sandboxed: no Node modules' },
            { group: ['**/engine/!(protocol)/**', '**/electron/**'], message: 'the renderer may import only engine/protocol' },
          ],
        },
      ],
    },
  },
);
