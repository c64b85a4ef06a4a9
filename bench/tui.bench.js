// TUI: (1) wall time from starting `stn ui` in a real terminal (tmux, 80x24) to its first full frame, median
// of 5, twice: the chrome (the header, the screen's frame and the key footer, drawn before the data arrives)
// and the Agents screen with its agents listed; (2) a trace of 10 000 events: folding them into timeline
// items, opening the trace (tail page from the store to the frame showing the last event), jumping to the
// first event (g) and back to the last (G), with the store queries each took and the heap held after.
// Aims (issue 17): first frame <= 400 ms, scroll to the first event <= 300 ms.
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const SOCKET = `stn-bench-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function firstFrame(home) {
  const quote = (a) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = ['env', `STATION_HOME=${home}`, 'NO_COLOR=1', process.execPath, BIN, 'ui'].map(quote).join(' ');
  const chrome = [];
  const agents = [];
  for (let i = 0; i < 5; i++) {
    const start = now();
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'ui', '-x', '80', '-y', '24', command);
    let screen = '';
    let chromeAt;
    while (!(screen.includes('file-explorer') && screen.includes('? help'))) {
      if (now() - start > 30_000) throw new Error(`no frame after 30 s:\n${screen}`);
      screen = tmux('capture-pane', '-p', '-t', 'ui');
      // The chrome: the header (first line), the Agents screen's frame and the key footer (last lines).
      if (
        chromeAt === undefined &&
        screen.startsWith(' Station') &&
        screen.includes('Agents in default') &&
        screen.includes('? help')
      )
        chromeAt = now() - start;
    }
    agents.push(now() - start);
    chrome.push(chromeAt ?? agents.at(-1));
    tmux('send-keys', '-t', 'ui', 'q');
    while (spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', 'ui']).status === 0) await sleep(20);
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
  if (spawnSync('tmux', ['-V']).status === 0) {
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
    report('stn ui: start to first full frame', 'skipped (tmux not installed)');
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
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  t.cleanup();
}
