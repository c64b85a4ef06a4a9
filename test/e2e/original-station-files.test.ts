// Every agent file of the original Station in ../shared/fixtures/station runs, with no edit, through
// `stn agent run` against the test model server: model names mapped by config.yaml model.aliases, the
// model calling tools the way the prompts name them (`__list_directory`), the export boilerplate answered
// in prose, and a model that refuses max_tokens and temperature like OpenAI's reasoning models.
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunEventOf } from '../../src/core/index.js';
import { runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer, type RecordedRequest } from '../helpers/model-server.js';
import { FS_ENTRY, makeRunHome, type RunHome } from './run-home.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/station', import.meta.url));
const STAND_IN = fileURLToPath(new URL('../helpers/stand-in-mcp-server.js', import.meta.url));
const CHECKOV_TOOLS = ['checkov_get_version', 'checkov_scan_directory', 'checkov_scan_file', 'checkov_scan_secrets'];
const PROSE = 'Here is what I found, in plain words.';

/** Each fixture file, the agent name it declares, and the tool its prompt tells the model to call first. */
const AGENTS: { file: string; name: string; call: string | null; vars?: string[] }[] = [
  { file: 'agents/Hello World Agent.prompt', name: 'Hello World Agent', call: null },
  { file: 'agents/Security Scanner.prompt', name: 'Security Scanner', call: '__checkov_scan_directory' },
  {
    file: 'agents/assistant.prompt',
    name: 'assistant',
    call: '__list_directory',
    vars: ['TASK=list the files', 'ENVIRONMENT=default'],
  },
  {
    file: 'bundles/registry-filesystem-bundle/agents/specialist.prompt',
    name: 'specialist',
    call: '__read_text_file',
    vars: ['TASK=read the readme', 'ENVIRONMENT=default'],
  },
  {
    file: 'bundles/station-head-test-sample-environment/agents/test-agent-1.prompt',
    name: 'Test Agent 1',
    call: '__list_directory',
  },
  {
    file: 'bundles/station-head-test-sample-environment/agents/test-agent-2.prompt',
    name: 'Test Agent 2',
    call: 'get_file_info',
  },
];

let home: RunHome;
let model: ModelServer;

/** The first prompt-named tool of the conversation's system prompt is called once, then the answer is prose. */
function script(request: RecordedRequest): { text?: string; toolCalls?: { name: string; arguments: unknown }[] } {
  const messages = request.body.messages;
  const called = messages.some((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0);
  const prompt = messages.map((m) => m.content ?? '').join('\n');
  const agent = AGENTS.find((a) => a.call !== null && prompt.includes(marker(a.name)));
  if (called || agent?.call == null || (request.body.tools ?? []).length === 0) return { text: PROSE };
  const path = agent.call.includes('checkov')
    ? '.'
    : agent.call.includes('read')
      ? join(home.files, 'readme.txt')
      : home.files;
  return { toolCalls: [{ name: agent.call, arguments: { path } }] };
}

/** Text each fixture's prompt holds, to tell them apart in the model server. */
function marker(name: string): string {
  return (
    {
      'Security Scanner': 'Security Scanner agent',
      assistant: 'helpful Assistant',
      specialist: 'Task Specialist',
      'Test Agent 1': 'test agent designed for build verification',
      'Test Agent 2': 'second test agent',
    }[name] ?? name
  );
}

beforeAll(async () => {
  home = makeRunHome();
  const envDir = join(home.home, 'environments', 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify({
      mcpServers: {
        filesystem: { command: process.execPath, args: [FS_ENTRY, home.files] },
        checkov: { command: process.execPath, args: [STAND_IN, '--name', 'checkov', ...CHECKOV_TOOLS] },
      },
    }),
  );
  for (const agent of AGENTS) {
    const source = join(FIXTURES, agent.file);
    copyFileSync(source, join(envDir, 'agents', source.slice(source.lastIndexOf('/') + 1)));
  }
  writeFileSync(
    join(home.home, 'config.yaml'),
    'model:\n  name: endpoint-model\n  aliases:\n    "gemini-*": endpoint-model\n    "gpt-*": endpoint-model\n',
  );
  model = await startModelServer({ reasoning: true, script });
}, 60_000);
afterAll(async () => {
  await model.close();
  home.cleanup();
});

describe('the original Station files, run with no edit', { timeout: 120_000 }, () => {
  it('the fixtures exist where the test reads them', () => {
    for (const agent of AGENTS) expect(existsSync(join(FIXTURES, agent.file))).toBe(true);
  });

  it.each(AGENTS)('$file runs to a prose answer', async (agent) => {
    const vars = (agent.vars ?? []).flatMap((v) => ['--var', v]);
    const out = await runStn(['agent', 'run', agent.name, 'Please help.', ...vars, '--json'], {
      env: home.envFor(model.url),
      timeoutMs: 90_000,
    });
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent | { type: 'result'; status: string; output: string | null });
    const result = lines.at(-1);
    expect(result, out.stderr).toMatchObject({ type: 'result', status: 'completed', output: PROSE });
    const events = lines.slice(0, -1) as RunEvent[];
    const started = events.find((e): e is RunEventOf<'run.started'> => e.type === 'run.started');
    expect(started?.data.model).toBe('endpoint-model');
    expect(started?.data.modelChoice?.reason).toBe('alias');
    expect(started?.data.output?.format).toBe('text');
    if (agent.call !== null) {
      const call = events.find((e): e is RunEventOf<'tool.finished'> => e.type === 'tool.finished');
      expect(call?.data).toMatchObject({ requested: agent.call, isError: false });
      expect(call?.data.tool).toMatch(/^(filesystem|checkov)__/);
    }
    if (agent.name === 'Security Scanner') {
      // Its config (max_tokens 2000, temperature 0.3) is refused like a reasoning model does: retried, not failed.
      const retries = events.filter((e): e is RunEventOf<'model.retry'> => e.type === 'model.retry');
      expect(retries.map((r) => r.data.parameter)).toEqual([
        {
          name: 'max_tokens',
          replacement: 'max_completion_tokens',
          reason: 'model endpoint-model refused max_tokens; sent again as max_completion_tokens',
        },
        {
          name: 'temperature',
          replacement: null,
          reason: 'model endpoint-model refused temperature; sent again without it',
        },
      ]);
      const sent = model.requests.filter((r) => r.body.max_completion_tokens === 2000);
      expect(sent.length).toBeGreaterThan(0);
      expect(started?.data.output?.reason).toBe('boilerplate');
    }
  });
});
