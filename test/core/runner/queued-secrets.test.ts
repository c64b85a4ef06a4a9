// A run is masked with the secrets of the MCP config it runs on. Its secrets are read when it is queued; when
// variables.yml gets a new value while it waits, it starts on a pool of the new config, and the new value is
// masked in its records too (the tools still get it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, toolMessages, type ModelServer } from '../../helpers/model-server.js';
import { dumpDatabase } from '../mcp/helpers.js';

const LEAKY = fileURLToPath(new URL('../../fixtures/mcp/leaky-server.js', import.meta.url));
const FIRST = 'tok-first-0123456789';
const CHANGED = 'tok-changed-9876543210';

let home: TempHome;
let model: ModelServer;
let engine: Engine;
let envDir: string;

beforeEach(async () => {
  home = makeInitializedHome();
  model = await startModelServer();
  // One worker: a second run waits in the queue while the first one runs.
  writeFileSync(home.paths.config, `model:\n  base_url: ${model.url}\n  name: m\nrunner:\n  workers: 1\n`);
  envDir = join(home.paths.environments, 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify({
      mcpServers: {
        leaky: { command: process.execPath, args: [LEAKY], env: { LEAKY_TOKEN: '{{ .LEAKY_TOKEN }}' } },
      },
    }),
  );
  writeFileSync(join(envDir, 'variables.yml'), `LEAKY_TOKEN: ${FIRST}\n`);
  writeFileSync(
    join(envDir, 'agents', 'leaky.prompt'),
    '---\nmetadata:\n  name: leaky\ntools:\n  - leaky__reveal\n---\n{{role "user"}}\n{{userInput}}\n',
  );
  engine = openEngine({ home: home.home, env: { ...process.env, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: '' } });
});
afterEach(async () => {
  await engine.close();
  await model.close();
  home.cleanup();
});

it('masks a secret of variables.yml changed while the run was queued, in every record of the run', async () => {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  model.script(async (request) => {
    const asked = request.body.messages.findLast((m) => m.role === 'user')?.content;
    if (asked === 'first') {
      await held;
      return { text: 'first done' };
    }
    const results = toolMessages(request);
    return results.length === 0
      ? { toolCalls: [{ name: 'leaky__reveal', arguments: { name: 'LEAKY_TOKEN' } }] }
      : { text: `got ${results[0]?.content ?? ''}` };
  });
  const runner = await engine.runner();
  const first = await runner.submit({ agent: 'leaky', environment: 'default', input: { userInput: 'first' } });
  const second = await runner.submit({ agent: 'leaky', environment: 'default', input: { userInput: 'second' } });
  writeFileSync(join(envDir, 'variables.yml'), `LEAKY_TOKEN: ${CHANGED}\n`);
  release();
  expect((await first.done).status).toBe('completed');
  const result = await second.done;

  // The tool ran on the new value, and the model got it.
  expect(toolMessages(model.requests.at(-1)!).map((m) => m.content)).toEqual([`LEAKY_TOKEN is ${CHANGED}`]);
  // Nothing recorded or reported shows it.
  expect(result.status).toBe('completed');
  expect(result.output).toBe('got LEAKY_TOKEN is [secret:LEAKY_TOKEN]');
  const shown = JSON.stringify(engine.runs.show(second.runId));
  expect(shown).toContain('LEAKY_TOKEN is [secret:LEAKY_TOKEN]');
  expect(shown).not.toContain(CHANGED);
  expect(dumpDatabase(home.paths.database)).not.toContain(CHANGED);
});
