// The 50-step scenario's parts, shared by runner.bench.js and peers.bench.js: the test model server in a
// child process, a Station home with one agent on the filesystem MCP server, the bare loop (MCP SDK + fetch)
// every figure is a ratio to, and a per-step timer.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { initStation, stationPaths } from '../dist/core/index.js';
import { ROOT, tempHome } from './lib.js';

const require = createRequire(import.meta.url);
export const FS_ENTRY = join(
  dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')),
  'dist',
  'index.js',
);
const MODEL_CLI = join(ROOT, 'test', 'helpers', 'model-server-cli.js');
export const STEPS = 50;
/** STATION_BENCH_ENCRYPT_DB=1: the same figures with station.db encrypted (stn init --encrypt-db). */
export const ENCRYPT_DB = process.env.STATION_BENCH_ENCRYPT_DB === '1';

/** Starts the test model server in a child process; resolves to {url, stop}. */
export async function startModel(args) {
  const child = spawn(process.execPath, [MODEL_CLI, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`model server exited (${String(code)})`)));
  });
  return {
    url: JSON.parse(line).url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}

/** A Station home with one agent that lists `files` with the filesystem server. */
export function makeHome(modelUrl, files, { workers = 4, maxSteps = STEPS } = {}) {
  const t = tempHome();
  const paths = stationPaths(t.home);
  initStation(paths, { projectRoot: files, encryptDb: ENCRYPT_DB });
  writeFileSync(
    paths.config,
    `model:\n  base_url: ${modelUrl}\n  name: bench-model\nrunner:\n  workers: ${String(workers)}\n  queue_size: 200\n  default_max_steps: ${String(maxSteps)}\n`,
  );
  const env = join(paths.environments, 'default');
  writeFileSync(
    join(env, 'template.json'),
    JSON.stringify({ mcpServers: { filesystem: { command: process.execPath, args: [FS_ENTRY, files] } } }),
  );
  writeFileSync(
    join(env, 'agents', 'bench.prompt'),
    `---\nmetadata:\n  name: bench\nmax_steps: ${String(maxSteps)}\ntools:\n  - filesystem__list_directory\n---\n{{role "system"}}\nList the folder.\n{{role "user"}}\n{{userInput}}\n`,
  );
  return t;
}

/* global fetch */
/** One chat turn with fetch, not streamed: the floor. */
export async function fetchTurn(modelUrl, messages, tools) {
  const response = await fetch(`${modelUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer none' },
    body: JSON.stringify({ model: 'bench-model', messages, tools }),
  });
  const body = await response.json();
  return body.choices[0].message;
}

/** One chat turn with the openai SDK, streamed, tool-call deltas assembled (what Station's client does). */
export async function sdkTurn(sdk, messages, tools) {
  const stream = await sdk.chat.completions.create({
    model: 'bench-model',
    messages,
    tools,
    stream: true,
    stream_options: { include_usage: true },
  });
  let content = '';
  const calls = [];
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    if (delta === undefined) continue;
    content += delta.content ?? '';
    for (const part of delta.tool_calls ?? []) {
      const slot = (calls[part.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (part.id) slot.id = part.id;
      if (part.function?.name) slot.function.name = part.function.name;
      slot.function.arguments += part.function?.arguments ?? '';
    }
  }
  return calls.length > 0 ? { role: 'assistant', content: null, tool_calls: calls } : { role: 'assistant', content };
}

/** CPU time (user + system) in ms of a process.cpuUsage() difference. */
export function cpuUsedMs(used) {
  return (used.user + used.system) / 1000;
}

/** Wall and CPU time (of this process) per step of `fn`, which returns its step count. */
export async function measure(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const steps = await fn();
  const wall = (performance.now() - t0) / steps;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: cpuUsedMs(used) / steps };
}

/** A bare loop: `turn` asks the model, `client` (an MCP SDK client) runs the tools; nothing recorded. */
export async function bareLoop(client, turn) {
  const messages = [
    { role: 'system', content: 'List the folder.' },
    { role: 'user', content: 'go' },
  ];
  let steps = 0;
  for (;;) {
    steps++;
    const message = await turn(messages);
    if (!message.tool_calls?.length) return steps;
    messages.push(message);
    for (const call of message.tool_calls) {
      const result = await client.callTool({
        name: call.function.name.replace('filesystem__', ''),
        arguments: JSON.parse(call.function.arguments),
      });
      const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      messages.push({ role: 'tool', tool_call_id: call.id, content: text });
    }
  }
}
