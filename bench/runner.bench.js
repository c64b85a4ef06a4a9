// The execution engine (run after `npm run build`):
//  1. A 50-step run (the test model at 0 ms latency asks for filesystem__list_directory 50 times, then
//     answers) through Station's runner with every event persisted, in ms per step, next to a bare loop
//     over the MCP SDK and fetch against the same model server and the same filesystem server, measured
//     in the same process. MCP server start-up is excluded from both. A third loop uses the libraries
//     Station builds on (the openai SDK, streamed; Station's stdio transport, which starts each server in
//     its own process group) without Station, to show what Station's own code (loop, events) adds.
//     Where Station's time per step goes: the model client, the tool calls, recording (masking, JSON,
//     SQLite, the bus), and the rest (its own loop and the run's start), from the run's profile.
//  2. 50, then 200 concurrent runs with 200 ms model latency (4 model turns each): wall time and
//     throughput against the ideal (every run overlapping perfectly), submission time, and memory.
//  3. Peak RSS: of this process, and of the process that runs part 2 with nothing but Station's runner and
//     its MCP pool (the model server runs in a child of each).
//
// STATION_BENCH_ENCRYPT_DB=1 npm run bench runner: the same with an encrypted station.db.
//
// The scenario's parts (model server, home, bare loop) are in loop-kit.js, shared with peers.bench.js.
/* global setInterval, clearInterval */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../dist/core/index.js';
import { median, report, tempHome } from './lib.js';
import { FS_ENTRY, STEPS, bareLoop, cpuUsedMs, fetchTurn, makeHome, measure, sdkTurn, startModel } from './loop-kit.js';

const ROUNDS = 7;
const CONCURRENT_TURNS = 3;
const CONCURRENT_LATENCY = 200;

/**
 * A folder with `fileCount` files and the test model asking to list it `steps` times, `latency` ms a turn
 * (the scenario of every part); `stop()` ends the model and removes the folder.
 */
async function listingScenario({ steps, latency, fileCount }) {
  const work = tempHome();
  const files = join(work.home, 'files');
  mkdirSync(files);
  for (let i = 0; i < fileCount; i++) writeFileSync(join(files, `file-${String(i)}.txt`), `file ${String(i)}\n`);
  const model = await startModel([
    '--tool',
    'filesystem__list_directory',
    '--args',
    JSON.stringify({ path: files }),
    '--steps',
    String(steps),
    '--latency',
    String(latency),
  ]);
  return {
    files,
    model,
    async stop() {
      await model.stop();
      work.cleanup();
    },
  };
}

/** The MCP SDK client of the bare loops over the filesystem server of `files`, and the tool list it offers the model. */
async function bareClient(files) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [FS_ENTRY, files], stderr: 'ignore' }),
  );
  const listed = (await client.listTools()).tools.find((t) => t.name === 'list_directory');
  const tools = [
    {
      type: 'function',
      function: { name: 'filesystem__list_directory', description: listed.description, parameters: listed.inputSchema },
    },
  ];
  return { client, tools };
}

/** CPU time of this process per run, from a process.cpuUsage() difference. */
function cpuPerRun(used, runs) {
  return `${(cpuUsedMs(used) / runs).toFixed(2)} ms`;
}

/** `runs` runs in `wall` ms: runs per second, and as a share of the ideal (every run overlapping perfectly). */
function throughput(runs, wall) {
  const ideal = (CONCURRENT_TURNS + 1) * CONCURRENT_LATENCY;
  return {
    ideal,
    perSecond: (runs / wall) * 1000,
    text: `${((runs / wall) * 1000).toFixed(1)} runs/s vs ${((runs / ideal) * 1000).toFixed(1)} runs/s (${((ideal / wall) * 100).toFixed(0)}%)`,
  };
}

async function stepsScenario() {
  // The bare loops' libraries, loaded here only: the concurrency part runs in a process of Station alone.
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { default: OpenAI } = await import('openai');
  const { StdioTransport } = await import('../dist/core/mcp/stdio-transport.js');
  const { files, model, stop } = await listingScenario({ steps: STEPS, latency: 0, fileCount: 20 });
  const home = makeHome(model.url, files);
  const engine = openEngine({ home: home.home, env: { ...process.env, OPENAI_API_KEY: 'none', OPENAI_BASE_URL: '' } });
  const { client, tools } = await bareClient(files);
  // The same libraries Station uses, without Station: its stdio transport (own process group) and the SDK.
  const sameLibs = new Client({ name: 'bench', version: '0' });
  await sameLibs.connect(
    new StdioTransport({ command: process.execPath, args: [FS_ENTRY, files], env: {}, cwd: files }),
  );
  const sdk = new OpenAI({ baseURL: model.url, apiKey: 'none', maxRetries: 0 });
  await sameLibs.listTools();
  try {
    const runner = await engine.runner();
    await engine.mcp('default'); // start the pool once, outside the timings
    const bare = [];
    const libs = [];
    const station = [];
    const loop = [];
    const cpu = { bare: [], libs: [], station: [], loop: [] };
    const parts = { model: [], tools: [], record: [], rest: [] };
    let stepsDone = 0;
    for (let round = 0; round < ROUNDS + 1; round++) {
      // Alternate the three so that warm-up and machine noise fall on all.
      const bareM = await measure(() => bareLoop(client, (messages) => fetchTurn(model.url, messages, tools)));
      const libsM = await measure(() => bareLoop(sameLibs, (messages) => sdkTurn(sdk, messages, tools)));
      let result;
      // Whole run: submit (find the agent, validate the input, render) to the recorded end.
      // Loop only: first model request to the recorded end, the part the bare loops also do.
      let loopStart;
      const onEvent = (event) => {
        if (event.type === 'model.request' && event.data.step === 1)
          loopStart = { wall: performance.now(), cpu: process.cpuUsage() };
      };
      const profile = { modelMs: 0, toolMs: 0, recordMs: 0 };
      const stationM = await measure(async () => {
        const handle = await runner.submit(
          { agent: 'bench', environment: 'default', input: { userInput: 'go' } },
          { onEvent, profile },
        );
        result = await handle.done;
        return result.steps;
      });
      const loopCpu = process.cpuUsage(loopStart.cpu);
      const loopM = {
        wall: (performance.now() - loopStart.wall) / result.steps,
        cpu: cpuUsedMs(loopCpu) / result.steps,
      };
      if (result.status !== 'completed')
        throw new Error(`bench run ended ${result.status}: ${JSON.stringify(result.error)}`);
      if (round === 0) continue; // warm-up
      bare.push(bareM.wall);
      libs.push(libsM.wall);
      station.push(stationM.wall);
      loop.push(loopM.wall);
      cpu.bare.push(bareM.cpu);
      cpu.libs.push(libsM.cpu);
      cpu.station.push(stationM.cpu);
      cpu.loop.push(loopM.cpu);
      const perStep = (ms) => ms / result.steps;
      parts.model.push(perStep(profile.modelMs));
      parts.tools.push(perStep(profile.toolMs));
      parts.record.push(perStep(profile.recordMs));
      parts.rest.push(stationM.wall - perStep(profile.modelMs + profile.toolMs + profile.recordMs));
      stepsDone = result.steps;
    }
    const events = engine.db.prepare('SELECT COUNT(*) AS n FROM run_events').get().n;
    const best = (xs) => Math.min(...xs);
    const row = (label, xs, c) =>
      report(label, `${median(xs).toFixed(2)} | ${best(xs).toFixed(2)} ms   (CPU ${median(c).toFixed(2)} ms)`);
    row(`bare loop: MCP SDK + fetch (ms/step: median | best of ${String(ROUNDS)})`, bare, cpu.bare);
    row("same loop: openai SDK streamed + Station's stdio transport", libs, cpu.libs);
    row(`Station, loop only (${String(stepsDone)} model calls, every event persisted)`, loop, cpu.loop);
    row('Station, whole run (plus agent lookup, input check, render)', station, cpu.station);
    const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x | ${(best(a) / best(b)).toFixed(2)}x`;
    report('Station loop / bare loop (aim <= 1.15): median | best', ratio(loop, bare));
    report('Station loop / same-libraries loop: median | best', ratio(loop, libs));
    report('events persisted (all rounds)', String(events));
    const ms = (xs) => `${median(xs).toFixed(2)} ms`;
    report('where a Station step goes (median ms/step):', '');
    report('  model client (request, stream, parse)', ms(parts.model));
    report('  tool calls (MCP over stdio)', ms(parts.tools));
    report('  recording (mask, JSON, SQLite, publish)', ms(parts.record));
    report("  Station's own loop, submit and the rest", ms(parts.rest));
  } finally {
    await client.close();
    await sameLibs.close();
    await engine.close();
    await stop();
    home.cleanup();
  }
}

async function concurrencyScenario(RUNS) {
  const TURNS = CONCURRENT_TURNS;
  const LATENCY = CONCURRENT_LATENCY;
  const { files, model, stop } = await listingScenario({ steps: TURNS, latency: LATENCY, fileCount: 1 });
  const home = makeHome(model.url, files, { workers: RUNS, maxSteps: 10 });
  const engine = openEngine({ home: home.home, env: { ...process.env, OPENAI_API_KEY: 'none', OPENAI_BASE_URL: '' } });
  try {
    const runner = await engine.runner();
    await engine.mcp('default');
    // One run first, as a long-lived process would have made: modules loaded, the model connection open.
    await (
      await runner.submit({ agent: 'bench', environment: 'default', input: { userInput: 'warm-up' } })
    ).done;
    const rssBefore = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const handles = [];
    for (let i = 0; i < RUNS; i++)
      handles.push(
        await runner.submit({ agent: 'bench', environment: 'default', input: { userInput: `run ${String(i)}` } }),
      );
    const submitted = performance.now() - t0;
    const submitCpu = process.cpuUsage(cpu0);
    let rssHigh = process.memoryUsage().rss;
    const sampler = setInterval(() => (rssHigh = Math.max(rssHigh, process.memoryUsage().rss)), 20);
    const results = await Promise.all(handles.map((h) => h.done));
    clearInterval(sampler);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const failed = results.filter((r) => r.status !== 'completed').length;
    const rate = throughput(RUNS, wall);
    const n = String(RUNS);
    report(
      `${n} concurrent runs, ${String(TURNS + 1)} turns at ${String(LATENCY)} ms (wall)`,
      `${wall.toFixed(0)} ms (ideal ${String(rate.ideal)} ms)`,
    );
    report(`  throughput vs ideal (aim >= 90%)`, rate.text);
    report(
      `  submitting the ${n} runs (aim <= ${String(RUNS)} ms)`,
      `${submitted.toFixed(0)} ms   (CPU ${cpuUsedMs(submitCpu).toFixed(0)} ms)`,
    );
    report('  from the last submission to the last answer', `${(wall - submitted).toFixed(0)} ms`);
    report("  CPU of Station's process per run (the model and MCP servers are other processes)", cpuPerRun(cpu, RUNS));
    const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    report(
      '  RSS before | highest while running | peak so far',
      `${mb(rssBefore)} | ${mb(rssHigh)} | ${mb(process.resourceUsage().maxRSS * 1024)}`,
    );
    if (failed > 0) report('runs not completed', String(failed));
    return { runs: RUNS, throughput: rate.perSecond, rss: rssHigh - rssBefore };
  } finally {
    await engine.close();
    await stop();
    home.cleanup();
  }
}

/**
 * The concurrency scenario as bare loops (MCP SDK + fetch, nothing recorded; one MCP SDK client shared):
 * what this machine allows at the moment, the model server's own time included. Run in the parent
 * process, after Station's, so as not to weigh on Station's memory figures.
 */
async function bareConcurrency(runs) {
  const { files, model, stop } = await listingScenario({
    steps: CONCURRENT_TURNS,
    latency: CONCURRENT_LATENCY,
    fileCount: 1,
  });
  const { client, tools } = await bareClient(files);
  try {
    const loop = () => bareLoop(client, (messages) => fetchTurn(model.url, messages, tools));
    await loop(); // warm-up, as for Station
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: runs }, loop));
    const wall = performance.now() - t0;
    report(
      `${String(runs)} concurrent bare loops: throughput vs ideal`,
      `${throughput(runs, wall).text}, wall ${wall.toFixed(0)} ms`,
    );
    report("  CPU of the bare loops' process per run", cpuPerRun(process.cpuUsage(cpu0), runs));
  } finally {
    await client.close();
    await stop();
  }
}

const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
if (process.argv[2] === 'concurrency') {
  // A process with Station's runner alone (and its MCP pool; the model server runs in a child).
  const scaled = [];
  for (const runs of [50, 200]) {
    scaled.push(await concurrencyScenario(runs));
    report(
      `peak RSS of Station alone, up to the ${String(runs)} runs${runs === 50 ? ' (aim <= 130 MB)' : ''}`,
      mb(process.resourceUsage().maxRSS),
    );
  }
  const [fifty, more] = scaled;
  report(
    'from 50 to 200 runs: throughput | memory while running',
    `x${(more.throughput / fifty.throughput).toFixed(2)} | +${(fifty.rss / 1024 / 1024).toFixed(0)} MB -> +${(more.rss / 1024 / 1024).toFixed(0)} MB`,
  );
} else {
  await stepsScenario();
  report('peak RSS of this process (Station and the two bare loops)', mb(process.resourceUsage().maxRSS));
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'concurrency'], { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = 1;
  // The same scenario without Station, just after: the ceiling this machine allows at the moment.
  for (const runs of [50, 200]) await bareConcurrency(runs);
}
