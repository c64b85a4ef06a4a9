// Station beside its nearest peers (run after `npm run build`): the same 50-step scenario as runner.bench.js
// (the test model server at 0 ms latency asks for list_directory 50 times, then answers; the filesystem MCP
// server runs the calls) through
//   - Station's runner, every event persisted and published;
//   - the Vercel AI SDK (`ai` generateText with `@ai-sdk/openai` chat completions and `@ai-sdk/mcp`'s stdio client);
//   - the OpenAI Agents SDK (`@openai/agents` run() with an MCPServerStdio, chat completions API, tracing off);
// each as a ratio to the bare loop (MCP SDK + fetch, nothing recorded) measured in the same process run, rounds
// alternating so that warm-up and machine noise fall on all. MCP server start-up is outside every timing; the
// peers keep their tool lists cached, as Station does after a sync. Neither peer records anything.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createMCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, MCPServerStdio, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled } from '@openai/agents';
import { generateText, stepCountIs } from 'ai';
import OpenAI from 'openai';
import { openEngine } from '../dist/core/index.js';
import { median, report, tempHome } from './lib.js';
import { FS_ENTRY, STEPS, bareLoop, fetchTurn, makeHome, measure, startModel } from './loop-kit.js';

const ROUNDS = 5;
const SYSTEM = 'List the folder.';

const work = tempHome();
const files = join(work.home, 'files');
mkdirSync(files);
for (let i = 0; i < 20; i++) writeFileSync(join(files, `file-${String(i)}.txt`), `file ${String(i)}\n`);
const steps = ['--args', JSON.stringify({ path: files }), '--steps', String(STEPS), '--latency', '0'];
// Station and the AI SDK name the tool filesystem__list_directory; the Agents SDK uses the server's own name.
const model = await startModel(['--tool', 'filesystem__list_directory', ...steps]);
const plainModel = await startModel(['--tool', 'list_directory', ...steps]);
const home = makeHome(model.url, files);
const engine = openEngine({ home: home.home, env: { ...process.env, OPENAI_API_KEY: 'none', OPENAI_BASE_URL: '' } });
const serverParams = { command: process.execPath, args: [FS_ENTRY, files] };

const bareClient = new Client({ name: 'bench', version: '0' });
await bareClient.connect(new StdioClientTransport({ ...serverParams, stderr: 'ignore' }));
const listed = (await bareClient.listTools()).tools.find((t) => t.name === 'list_directory');
const bareTools = [
  {
    type: 'function',
    function: { name: 'filesystem__list_directory', description: listed.description, parameters: listed.inputSchema },
  },
];

const aiMcp = await createMCPClient({
  transport: new Experimental_StdioMCPTransport({ ...serverParams, stderr: 'ignore' }),
});
const aiTools = { filesystem__list_directory: (await aiMcp.tools()).list_directory };
const aiModel = createOpenAI({ baseURL: model.url, apiKey: 'none' }).chat('bench-model');

setTracingDisabled(true);
setOpenAIAPI('chat_completions');
setDefaultOpenAIClient(new OpenAI({ baseURL: plainModel.url, apiKey: 'none', maxRetries: 0 }));
const agentsMcp = new MCPServerStdio({ ...serverParams, cacheToolsList: true });
await agentsMcp.connect();
const agent = new Agent({ name: 'bench', instructions: SYSTEM, model: 'bench-model', mcpServers: [agentsMcp] });

const loops = {
  bare: () => bareLoop(bareClient, (messages) => fetchTurn(model.url, messages, bareTools)),
  station: async () => {
    const result = await (
      await runner.submit({ agent: 'bench', environment: 'default', input: { userInput: 'go' } })
    ).done;
    if (result.status !== 'completed') throw new Error(`Station run ended ${result.status}`);
    return result.steps;
  },
  aiSdk: async () => {
    const result = await generateText({
      model: aiModel,
      system: SYSTEM,
      prompt: 'go',
      tools: aiTools,
      stopWhen: stepCountIs(STEPS + 10),
    });
    return result.steps.length;
  },
  agentsSdk: async () => {
    const result = await run(agent, 'go', { maxTurns: STEPS + 10 });
    return result.rawResponses.length;
  },
};

const runner = await engine.runner();
await engine.mcp('default');
const samples = Object.fromEntries(Object.keys(loops).map((k) => [k, []]));
const stepCounts = {};
try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, loop] of Object.entries(loops)) {
      let count = 0;
      const m = await measure(async () => (count = await loop()));
      stepCounts[name] = count;
      if (round > 0) samples[name].push(m.wall); // round 0 is the warm-up
    }
  }
  const bare = median(samples.bare);
  report(`bare loop: MCP SDK + fetch (ms per model call, median of ${String(ROUNDS)})`, `${bare.toFixed(2)} ms`);
  const row = (label, name) => {
    const ms = median(samples[name]);
    report(label, `${ms.toFixed(2)} ms = ${(ms / bare).toFixed(2)}x bare   (${String(stepCounts[name])} model calls)`);
  };
  row('Station (whole run, every event persisted; aim: fastest)', 'station');
  row('Vercel AI SDK: generateText + @ai-sdk/mcp (nothing recorded)', 'aiSdk');
  row('OpenAI Agents SDK: run() + MCPServerStdio (nothing recorded)', 'agentsSdk');
} finally {
  await bareClient.close();
  await aiMcp.close();
  await agentsMcp.close();
  await engine.close();
  await model.stop();
  await plainModel.stop();
  home.cleanup();
  work.cleanup();
}
