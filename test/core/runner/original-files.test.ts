// Files written for the original Station, run through the whole engine: the model chosen by
// config.yaml's model.aliases / model.override (and said in run.started), and the export boilerplate
// `output: {schema: {response: string}}` answered in prose.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, openEngine, type Engine } from '../../../src/core/index.js';
import type { RunEvent, RunEventOf } from '../../../src/core/events/run-events.js';
import type { RunResult } from '../../../src/core/runner/run-errors.js';
import type { TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer, type ModelStep } from '../../helpers/model-server.js';
import { fixtureHome, tinyEntry, writeAgent, writeTemplate } from '../mcp/helpers.js';
import { validateAgentInput } from '../../../src/core/index.js';
import { ModelClient } from '../../../src/core/model/model-client.js';
import { resolveCall } from '../../../src/core/runner/run-loop.js';

let home: TempHome;
let envDir: string;
let model: ModelServer;
let engine: Engine;

const EXPORTED = `---
model: gemini-2.5-flash
metadata:
    name: exported
tools: []
input:
    schema:
        userInput: string
output:
    schema:
        response: string
---
{{role "system"}}
You answer.
{{role "user"}}
{{userInput}}
`;

const SCORED = `---
model: gpt-4o-mini
metadata:
  name: scored
output:
  schema:
    response: string
    score: integer
---
Score {{userInput}}.
`;

beforeAll(async () => {
  const fixture = fixtureHome();
  home = fixture.home;
  envDir = fixture.envDir;
  writeFileSync(home.paths.config, 'model:\n  name: endpoint-model\n  aliases:\n    "gemini-*": aliased-model\n');
  writeFileSync(join(envDir, 'agents', 'exported.prompt'), EXPORTED);
  writeFileSync(join(envDir, 'agents', 'scored.prompt'), SCORED);
  writeTemplate(envDir, { tiny: tinyEntry(), other: tinyEntry('--name', 'other') });
  writeAgent(envDir, 'caller', ['tiny__echo', 'other__echo', 'tiny__add']);
  writeAgent(envDir, 'vague', ['__echo']);
  model = await startModelServer();
  engine = openEngine({ home: home.home, env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-t' } });
});
afterAll(async () => {
  await engine.close();
  await model.close();
  home.cleanup();
});

async function run(
  agent: string,
  script: ModelStep[],
  runModel?: string,
): Promise<{ result: RunResult; events: RunEvent[] }> {
  model.requests.length = 0;
  model.script(script);
  const runner = await engine.runner();
  const handle = await runner.submit({
    agent,
    environment: 'default',
    input: { userInput: 'hello' },
    ...(runModel === undefined ? {} : { model: runModel }),
  });
  const result = await handle.done;
  return { result, events: engine.runs.events(handle.runId) };
}

function started(events: RunEvent[]): RunEventOf<'run.started'>['data'] {
  const event = events.find((e): e is RunEventOf<'run.started'> => e.type === 'run.started');
  if (event === undefined) throw new Error('no run.started');
  return event.data;
}

describe('files of the original Station in a run', () => {
  it("maps the file's model by model.aliases, and answers the export boilerplate in prose", async () => {
    const { result, events } = await run('exported', [{ text: 'Plain prose, not JSON.' }]);
    expect(result).toMatchObject({ status: 'completed', output: 'Plain prose, not JSON.' });
    const body = model.requests[0]?.body;
    expect(body?.model).toBe('aliased-model');
    expect(body?.response_format).toBeUndefined();
    expect(JSON.stringify(body?.messages)).not.toContain('JSON');
    const data = started(events);
    expect(data.model).toBe('aliased-model');
    expect(data.modelChoice).toEqual({
      reason: 'alias',
      fileModel: 'gemini-2.5-flash',
      alias: 'gemini-*',
      explanation: 'aliased-model (the agent file says gemini-2.5-flash; config.yaml model.aliases "gemini-*")',
    });
    expect(data.output).toMatchObject({ format: 'text', reason: 'boilerplate' });
    const queued = events.find((e): e is RunEventOf<'run.queued'> => e.type === 'run.queued');
    expect(queued?.data.modelChoice?.reason).toBe('alias');
  });

  it('any other output schema keeps JSON; --model wins and says so', async () => {
    const { result, events } = await run('scored', [{ text: '{"response": "ok", "score": 3}' }], 'flag-model');
    expect(result).toMatchObject({ status: 'completed' });
    const body = model.requests[0]?.body;
    expect(body?.model).toBe('flag-model');
    expect(body?.response_format).toMatchObject({ type: 'json_schema' });
    const data = started(events);
    expect(data.modelChoice).toMatchObject({ reason: 'flag', fileModel: 'gpt-4o-mini' });
    expect(data.output).toMatchObject({ format: 'json', reason: 'schema' });
  });

  it('agent show and the runner agree (the api says what the run does)', () => {
    const api = new Application(engine).local();
    const agent = api.agents.get('default', 'exported');
    expect(api.agents.runChoices(agent)).toMatchObject({
      model: { model: 'aliased-model', reason: 'alias' },
      output: { format: 'text', reason: 'boilerplate' },
    });
    const scored = api.agents.get('default', 'scored');
    expect(api.agents.runChoices(scored, 'x')).toMatchObject({
      model: { model: 'x', reason: 'flag' },
      output: { format: 'json', reason: 'schema' },
    });
  });
});

describe('tool names as prompts say them', () => {
  it('a unique __tool or bare name runs the offered tool; an ambiguous one goes back as an error listing the choices', async () => {
    const { result, events } = await run('caller', [
      {
        toolCalls: [
          { id: 'a', name: '__add', arguments: { a: 1, b: 2 } },
          { id: 'b', name: 'echo', arguments: { text: 'x' } },
        ],
      },
      { text: 'done' },
    ]);
    expect(result).toMatchObject({ status: 'completed' });
    const finished = events.filter((e): e is RunEventOf<'tool.finished'> => e.type === 'tool.finished');
    const add = finished.find((e) => e.data.callId === 'a')?.data;
    expect(add).toMatchObject({ tool: 'tiny__add', requested: '__add', isError: false, result: '3' });
    const echo = finished.find((e) => e.data.callId === 'b')?.data;
    expect(echo).toMatchObject({
      isError: true,
      error: 'tool name "echo" is ambiguous; call one of: other__echo, tiny__echo',
    });
    expect(resolveCall('tiny__add', new Map())).toEqual({ spec: undefined, choices: [] });
  });

  it('an agent file naming an ambiguous __tool says "ambiguous" with the choices, never "does not provide"', async () => {
    const { result } = await run('vague', [{ text: 'never' }]);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('__echo is ambiguous (other__echo, tiny__echo)');
    expect(result.error?.message).not.toContain('does not provide');
  });
});

describe('inputs the template uses', () => {
  it('{{TASK}} is accepted and rendered; other undeclared inputs are refused', () => {
    const api = new Application(engine).local();
    writeFileSync(
      join(envDir, 'agents', 'tasker.prompt'),
      '---\nmetadata:\n  name: tasker\ninput:\n  schema:\n    userInput: string\n---\nTask: {{TASK}}\n',
    );
    const agent = api.agents.get('default', 'tasker');
    expect(validateAgentInput(agent, { userInput: 'u', TASK: 'list files' })).toEqual({
      userInput: 'u',
      TASK: 'list files',
    });
    expect(() => validateAgentInput(agent, { userInput: 'u', OTHER: 'x' })).toThrow(
      /OTHER: is not an input of this agent/,
    );
  });
});

describe('sampling parameters a model refuses', () => {
  it('retries once without it (or under the accepted name), and remembers it for the model', async () => {
    const strict = await startModelServer({ reasoning: true, script: [{ text: 'one' }, { text: 'two' }] });
    try {
      const client = new ModelClient({ settings: { baseUrl: strict.url, apiKey: 'k', apiKeyVariable: 'K' } });
      const retries: unknown[] = [];
      const request = {
        model: 'o3',
        messages: [{ role: 'user' as const, content: 'hi' }],
        temperature: 0.3,
        maxTokens: 50,
      };
      const first = await client.chat(request, { onParameterRetry: (r) => retries.push(r) });
      expect(first.content).toBe('one');
      expect(retries).toEqual([
        expect.objectContaining({ parameter: 'max_tokens', replacement: 'max_completion_tokens' }),
        expect.objectContaining({
          parameter: 'temperature',
          replacement: null,
          error:
            "Unsupported value: 'temperature' does not support 0.3 with this model. Only the default (1) value is supported.",
        }),
      ]);
      expect(strict.requests.map((r) => r.body.max_completion_tokens ?? null)).toEqual([null, 50, 50]);
      const second = await client.chat(request, { onParameterRetry: (r) => retries.push(r) });
      expect(second.content).toBe('two');
      expect(retries).toHaveLength(2);
      expect(strict.requests).toHaveLength(4);
      expect(strict.requests[3]?.body).toMatchObject({ max_completion_tokens: 50 });
      expect(strict.requests[3]?.body.temperature).toBeUndefined();
    } finally {
      await strict.close();
    }
  });
});
