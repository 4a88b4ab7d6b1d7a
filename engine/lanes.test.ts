/** The lint rule that keeps engine folders in their lanes fails on a wrong-way import and passes a right one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

async function messages(file: string, text: string): Promise<string[]> {
  const eslint = new ESLint();
  const [r] = await eslint.lintText(text, { filePath: file });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('engine/session may not import engine/cli or engine/worker; engine/worker may not import engine/cli', async () => {
  assert.match((await messages('engine/session/probe.ts', "import { run } from '../cli/cmd-runs.js';\nexport const x = run;\n")).join(), /engine\/session must not import engine\/cli/);
  assert.match((await messages('engine/session/probe.ts', "import { workspace } from '../worker/workspace.js';\nexport const x = workspace;\n")).join(), /must not import engine\/worker/);
  assert.match((await messages('engine/worker/handlers/probe.ts', "import { run } from '../../cli/cmd-runs.js';\nexport const x = run;\n")).join(), /engine\/worker must not import engine\/cli/);
  assert.match((await messages('engine/kernels/probe.ts', "import { Sequential } from '../models/sequential.js';\nexport const x = Sequential;\n")).join(), /engine\/kernels must not import engine\/models/);
  assert.match((await messages('engine/protocol/probe.ts', "import { RunRegistry } from '../session/runs.js';\nexport const x = RunRegistry;\n")).join(), /engine\/protocol must not import engine\/session/);
});

test('the engine may not import the shell or the renderer', async () => {
  assert.match((await messages('engine/session/probe.ts', "import { x } from '../../electron/core/settings.js';\nexport const y = x;\n")).join(), /engine\/ must not import from electron\/ or renderer\//);
  assert.match((await messages('engine/worker/handlers/probe.ts', "import { x } from '../../../renderer/src/lib/format.js';\nexport const y = x;\n")).join(), /engine\/ must not import from electron\/ or renderer\//);
});

test('the lanes allow what the design allows', async () => {
  assert.deepEqual(await messages('engine/worker/handlers/probe.ts', "import { RunRegistry } from '../../session/runs.js';\nexport const x = RunRegistry;\n"), []);
  assert.deepEqual(await messages('engine/cli/probe.ts', "import { RunRegistry } from '../session/runs.js';\nexport const x = RunRegistry;\n"), []);
  assert.deepEqual(await messages('engine/session/probe.ts', "import { LabError } from '../protocol/contract.js';\nexport const x = LabError;\n"), []);
});

test('Svelte components are linted too: a component may not import Node modules or the engine beyond its protocol', async () => {
  const component = (imports: string) => `<script lang="ts">\n  ${imports}\n  void x;\n</script>\n<p>probe</p>\n`;
  assert.match((await messages('renderer/src/components/Probe.svelte', component("import { readFileSync as x } from 'node:fs';"))).join(), /the renderer is sandboxed: no Node modules/);
  assert.match((await messages('renderer/src/components/Probe.svelte', component("import { RunRegistry as x } from '../../../engine/session/runs.js';"))).join(), /the renderer may import only engine\/protocol/);
  assert.deepEqual(await messages('renderer/src/components/Probe.svelte', component("import { runLabel as x } from '../../../engine/protocol/runs.js';")), []);
  // The same rule in the renderer's TypeScript, at another depth.
  assert.match((await messages('renderer/src/lib/state/probe.ts', "import { Experiments } from '../../../../engine/session/experiments/index.js';\nexport const x = Experiments;\n")).join(), /the renderer may import only engine\/protocol/);
});
