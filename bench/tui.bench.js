// TUI: (1) wall time from starting `stn ui` in a real terminal (a pseudo-terminal, 80x24) to its first full
// frame, median of 5, twice: the chrome (the header, the screen's frame and the key footer, drawn before the
// data arrives) and the Agents screen with its agents listed; (2) a trace of 10 000 events: folding them into
// timeline items, opening the trace (tail page from the store to the frame showing the last event), jumping to
// the first event (g) and back to the last (G), with the store queries each took and the heap held after.
// Aims (issue 17): first frame <= 400 ms, scroll to the first event <= 300 ms.
//
// The terminal is util-linux's `script`, whose output this process reads as the terminal would: a frame counts
// from the chunk that carries it. (Polling tmux's capture-pane, as this bench first did, starts a tmux client
// every few ms; on a 2-core machine that took CPU from the UI being measured and added 130-170 ms.)
/* global clearTimeout */
import { spawn, spawnSync } from 'node:child_process';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One start of `stn ui` in a pseudo-terminal: ms to the chrome and to the agents listed, then quits with q. */
function startUi(home) {
  const quote = (a) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = ['env', `STATION_HOME=${home}`, 'NO_COLOR=1', process.execPath, BIN, 'ui'].map(quote).join(' ');
  const start = now();
  const child = spawn('script', ['-qfec', `stty cols 80 rows 24 && exec ${command}`, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  let chrome;
  let agents;
  const timer = setTimeout(() => child.kill(), 30_000);
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
    // The chrome: the header, the Agents screen's frame and the key footer.
    if (
      chrome === undefined &&
      output.includes(' Station') &&
      output.includes('Agents in default') &&
      output.includes('? help')
    )
      chrome = now() - start;
    if (agents === undefined && chrome !== undefined && output.includes('file-explorer')) {
      agents = now() - start;
      child.stdin.write('q');
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      if (agents === undefined) reject(new Error(`no full frame from stn ui:\n${output}`));
      else resolve({ chrome, agents });
    });
  });
}

async function firstFrame(home) {
  const chrome = [];
  const agents = [];
  for (let i = 0; i < 5; i++) {
    const frame = await startUi(home);
    chrome.push(frame.chrome);
    agents.push(frame.agents);
  }
  return { chrome, agents };
}

async function bigTrace(home) {
  const React = await import('react');
  const { render } = await import('ink-testing-library');
  const { Application, openEngine } = await import('../dist/core/index.js');
  const { Root } = await import('../dist/tui/app/root.js');
  const { LocalClient } = await import('../dist/tui/client/local-client.js');
  const { makeTheme } = await import('../dist/tui/theme.js');
  const { foldEvent, itemKey } = await import('../dist/tui/state/trace-items.js');

  const engine = openEngine({ home });
  const repo = engine.runs.repo;
  const runId = repo.insertQueued({
    agentName: 'bench',
    environmentName: 'default',
    input: {},
    model: 'm',
    pid: 1,
    now: Date.now(),
  });
  const events = [];
  let seq = 0;
  const push = (type, data) => events.push({ runId, seq: ++seq, type, ts: new Date().toISOString(), data });
  push('run.started', {
    agent: 'bench',
    environment: 'default',
    model: 'm',
    maxSteps: 5000,
    timeoutMs: 1,
    pid: 1,
    messages: [],
  });
  for (let step = 1; events.length < 9_999; step++) {
    push('model.request', { step, final: false, model: 'm', messages: step, tools: 1 });
    push('model.response', {
      step,
      model: 'm',
      content: null,
      toolCalls: [{ id: `c${step}`, name: 'fs__read', arguments: '{"path":"/x"}' }],
      finishReason: 'tool_calls',
      usage: { input: 10, output: 5, total: 15 },
      latencyMs: 3,
      attempts: 1,
    });
    push('tool.started', {
      step,
      callId: `c${step}`,
      tool: 'fs__read',
      server: 'fs',
      name: 'read',
      arguments: { path: `/f${step}` },
    });
    push('tool.finished', {
      step,
      callId: `c${step}`,
      tool: 'fs__read',
      server: 'fs',
      name: 'read',
      durationMs: 1,
      isError: false,
      error: null,
      result: `content ${step}`,
      bytes: 9,
      truncated: false,
    });
  }
  const data = {
    status: 'completed',
    stopReason: 'final_answer',
    output: 'done',
    error: null,
    steps: 1,
    toolCalls: 1,
    tokens: { input: 1, output: 1, total: 2 },
    durationMs: 1,
  };
  engine.db.transaction(() => {
    for (const e of events)
      repo.appendEvent({ runId, seq: e.seq, type: e.type, ts: Date.parse(e.ts), dataJson: JSON.stringify(e.data) });
  })();
  repo.finishWithEvent(
    runId,
    { ...data, finishedAt: Date.now() },
    { runId, seq: ++seq, type: 'run.finished', ts: Date.now(), dataJson: JSON.stringify(data) },
  );

  let start = now();
  const items = new Map();
  for (const e of events) items.set(itemKey(e), foldEvent(items.get(itemKey(e)), e));
  const foldMs = now() - start;

  const client = new LocalClient(new Application(engine), { pollMs: 1000 });
  // Counts the store queries the trace asks for (each a page of at most TRACE_PAGE events).
  let queries = 0;
  const runEvents = client.runEvents.bind(client);
  client.runEvents = (...args) => {
    queries++;
    return runEvents(...args);
  };
  const app = render(
    React.createElement(Root, { client, theme: makeTheme(false), environment: 'default', screen: 'runs' }),
  );
  const waitFor = async (check) => {
    const end = now() + 60_000;
    while (!check(app.lastFrame() ?? '')) {
      if (now() > end) throw new Error(`timed out; frame:\n${app.lastFrame()}`);
      await sleep(1);
    }
  };
  await waitFor((f) => f.includes(`#${runId}`));
  start = now();
  app.stdin.write('\r');
  await waitFor((f) => f.includes('run.finished completed'));
  const openMs = now() - start;

  start = now();
  queries = 0;
  // g until the first event shows (one press when g seeks the first page; once per page when it pages back).
  let presses = 0;
  while (!(app.lastFrame() ?? '').includes('run.started')) {
    app.stdin.write('g');
    presses++;
    await waitFor((f) => f.includes('run.started') || !f.includes('loading…'));
    await sleep(1);
  }
  const topMs = now() - start;
  const topQueries = queries;
  start = now();
  queries = 0;
  app.stdin.write('G');
  await waitFor((f) => f.includes('run.finished completed') && f.includes('[at end]'));
  const endMs = now() - start;
  const endQueries = queries;
  globalThis.gc?.();
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  app.unmount();
  await client.close();
  await engine.close();
  return { events: seq, foldMs, openMs, topMs, presses, topQueries, endMs, endQueries, heapMb };
}

const t = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: t.env, stdio: 'ignore' });
  if (spawnSync('script', ['--version']).status === 0) {
    // For scale on a busy machine: a bare node start and `stn env list`, measured in the same run.
    const floor = [];
    for (let i = 0; i < 5; i++) {
      const start = now();
      spawnSync(process.execPath, ['-e', '0']);
      floor.push(now() - start);
    }
    report('node -e 0 (floor, median of 5)', fmt(median(floor)));
    report('stn env list --json (median of 5)', fmt(median(timeStn(['env', 'list', '--json'], t.env, 5))));
    const { chrome, agents } = await firstFrame(t.home);
    const spread = (samples) => `${fmt(Math.min(...samples))} / ${fmt(Math.max(...samples))}`;
    report('stn ui: first frame, chrome (80x24, median of 5; aim <= 400 ms)', fmt(median(chrome)));
    report('stn ui: first frame, chrome, fastest / slowest of 5', spread(chrome));
    report('stn ui: first frame with the agents listed (median of 5)', fmt(median(agents)));
    report('stn ui: first frame with the agents, fastest / slowest of 5', spread(agents));
  } else {
    report('stn ui: start to first full frame', "skipped (util-linux's script not installed)");
  }
  const trace = await bigTrace(t.home);
  report(`trace of ${trace.events} events: fold into timeline items`, fmt(trace.foldMs));
  report(`trace of ${trace.events} events: open (tail from the store to frame)`, fmt(trace.openMs));
  report(
    `trace of ${trace.events} events: to the first event, g x${trace.presses} (${trace.topQueries} queries; aim <= 300 ms)`,
    fmt(trace.topMs),
  );
  report(`trace of ${trace.events} events: back to the end, G (${trace.endQueries} queries)`, fmt(trace.endMs));
  report('trace: heap used after paging the whole run', `${trace.heapMb.toFixed(1)} MB`);
} finally {
  t.cleanup();
}
