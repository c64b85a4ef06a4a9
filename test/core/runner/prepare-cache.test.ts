// A run queue reads an agent (and its environment's secrets) once and keeps them while their files and
// the secret store are unchanged: every change is seen by the next run.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/core/index.js';
import { NotFoundError } from '../../../src/core/errors.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

let home: TempHome;
let model: ModelServer;
let engine: Engine;
let agents: string;

function agentText(system: string): string {
  return `---\nmetadata:\n  name: cached\n---\n{{role "system"}}\n${system}\n{{role "user"}}\n{{userInput}}\n`;
}

beforeEach(async () => {
  home = makeInitializedHome();
  model = await startModelServer();
  model.script(() => ({ text: 'ok' }));
  writeFileSync(home.paths.config, `model:\n  base_url: ${model.url}\n  name: m\n`);
  agents = join(home.paths.environments, 'default', 'agents');
  writeFileSync(join(agents, 'cached.prompt'), agentText('First version.'));
  engine = openEngine({ home: home.home, env: { ...process.env, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: '' } });
});
afterEach(async () => {
  await engine.close();
  await model.close();
  home.cleanup();
});

/** The system prompt the model got for a run of `agent`. */
async function systemPrompt(agent = 'cached'): Promise<string> {
  const runner = await engine.runner();
  const handle = await runner.submit({ agent, environment: 'default', input: { userInput: 'go' } });
  const result = await handle.done;
  expect(result.status).toBe('completed');
  const started = engine.runs.show(handle.runId).events.find((e) => e.type === 'run.started');
  const messages = (started?.data as { messages: { role: string; content: string }[] }).messages;
  return messages.find((m) => m.role === 'system')?.content ?? '';
}

describe('the run queue keeps agents while their files are unchanged', () => {
  it('renders the edited template at the next run, however the file was replaced', async () => {
    expect(await systemPrompt()).toBe('First version.');
    expect(await systemPrompt()).toBe('First version.');
    // Edited in place, same size.
    writeFileSync(join(agents, 'cached.prompt'), agentText('Other version.'));
    expect(await systemPrompt()).toBe('Other version.');
    // Replaced by a rename (as editors save).
    writeFileSync(join(agents, '.tmp'), agentText('Third version.'));
    renameSync(join(agents, '.tmp'), join(agents, 'cached.prompt'));
    expect(await systemPrompt()).toBe('Third version.');
  });

  it('sees an agent removed or moved to another file', async () => {
    expect(await systemPrompt()).toBe('First version.');
    renameSync(join(agents, 'cached.prompt'), join(agents, 'renamed.prompt'));
    expect(await systemPrompt()).toBe('First version.');
    rmSync(join(agents, 'renamed.prompt'));
    await expect(systemPrompt()).rejects.toBeInstanceOf(NotFoundError);
  });

  it("masks a secret set after the environment's secrets were first read", async () => {
    expect(engine.mcpServers.secrets('default')).toEqual([]);
    engine.secrets.set('API_TOKEN', 'tok-1234567890');
    const values = (): string[] => [...new Set(engine.mcpServers.secrets('default').map((s) => s.value))];
    expect(values()).toEqual(['tok-1234567890']);
    engine.secrets.set('API_TOKEN', 'tok-changed-0987');
    expect(values()).toEqual(['tok-changed-0987']);
  });
});
