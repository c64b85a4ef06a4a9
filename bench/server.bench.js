/* global fetch, clearTimeout */
// Server: WebSocket fan-out latency (event recorded and published -> received by each viewer) at 1, 10
// and 100 viewers (p50/p99), requests per second on GET /api/v1/runs against a spawned `stn serve`, and
// the RSS of that server idle and after the load. Run after `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { openEngine } from '../dist/core/engine.js';
import { EventBus } from '../dist/core/events/event-bus.js';
import { RunFeed } from '../dist/core/runner/run-feed.js';
import { RunRecorder } from '../dist/core/runner/run-recorder.js';
import { silentLogger } from '../dist/core/server/logger.js';
import { StationServer } from '../dist/core/server/station-server.js';
import { wsExtension } from '../dist/core/server/ws-extension.js';
import { WsHub } from '../dist/core/server/ws-hub.js';
import { RunRepo } from '../dist/core/store/run-repo.js';
import { BIN, percentile, report, tempHome } from './lib.js';

const EVENTS = 300;

function initHome() {
  const t = tempHome();
  const init = spawnSync(process.execPath, [BIN, 'init'], { env: t.env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`stn init failed: ${init.stderr}`);
  // No MCP servers: the figures are about the server, not about starting children.
  writeFileSync(join(t.home, 'environments', 'default', 'template.json'), JSON.stringify({ mcpServers: {} }));
  return t;
}

async function fanOut(viewers) {
  const t = initHome();
  const engine = openEngine({ home: t.home, env: t.env });
  const key = engine.keys.create({ name: 'bench', role: 'viewer' }).key;
  const bus = new EventBus();
  const repo = new RunRepo(engine.db);
  // As stn serve builds it: the hub hears a run feed, which hears this process's bus.
  const feed = new RunFeed(engine.db, { bus, intervalMs: 60_000 });
  feed.start();
  const hub = new WsHub({ events: feed, runs: engine.runs, log: silentLogger });
  const server = new StationServer({
    engine,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    extensions: [wsExtension(hub)],
  });
  const { url } = await server.listen();
  const sentAt = new Map();
  const samples = [];
  let received = 0;
  const clients = [];
  for (let i = 0; i < viewers; i++) {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers: { Authorization: `Bearer ${key}` } });
    await new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString('utf8'));
        if (msg.type === 'ws.subscribed') resolve();
        else if (msg.type === 'model.request') {
          samples.push(performance.now() - sentAt.get(msg.seq));
          received++;
        }
      });
      ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', scope: 'all' })));
    });
    clients.push(ws);
  }
  const runId = repo.insertQueued({
    agentName: 'bench',
    environmentName: 'default',
    input: {},
    model: 'm',
    pid: process.pid,
    now: Date.now(),
  });
  const recorder = new RunRecorder(repo, bus, runId);
  for (let i = 1; i <= EVENTS; i++) {
    sentAt.set(i, performance.now());
    recorder.emit('model.request', { step: i, final: false, model: 'bench-model', messages: 3, tools: 5 });
    await new Promise((r) => setTimeout(r, 2));
  }
  const deadline = Date.now() + 30_000;
  while (received < EVENTS * viewers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const ws of clients) ws.terminate();
  await server.close(1000);
  feed.stop();
  await engine.close();
  t.cleanup();
  return { samples, received };
}

function waitForLine(child, pattern, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`stn serve did not start: ${out}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

/** CPU time (user + system) of a process so far, in ms: the server's own cost, whatever else the machine runs. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Requests per second of GET `url` with `headers`, `total` requests `concurrency` at a time. */
async function load(url, headers, total = 2000, concurrency = 8) {
  let next = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const res = await fetch(url, { headers });
        if (res.status !== 200) failed++;
        await res.arrayBuffer();
      }
    }),
  );
  return { rps: total / ((performance.now() - start) / 1000), failed };
}

/**
 * `load` twice on the same process: the first requests after start (cold: run by the interpreter while V8
 * compiles the request path, on background threads counted in the CPU figure) and as many more (warm: what a
 * server that has been up a while does), each with the process's CPU per request.
 */
async function coldAndWarm(pid, url, headers) {
  const measure = async () => {
    const cpu0 = cpuMs(pid);
    const result = await load(url, headers);
    return { ...result, cpuPerRequest: (cpuMs(pid) - cpu0) / 2000 };
  };
  const cold = await measure();
  return { cold, warm: await measure() };
}

/**
 * The same load on a bare node:http server answering the same JSON text: what this machine (and this
 * client) can do at all right now, to read the Station figure against.
 */
async function bareBaseline(body) {
  const code = `require('node:http').createServer((q, r) => { q.resume(); r.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(process.env.BODY) }); r.end(process.env.BODY); }).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], {
    env: { ...process.env, BODY: body },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await waitForLine(child, /listening on (http:[/][/]\S+)/);
    return await coldAndWarm(child.pid, url, {});
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function serveFigures() {
  const t = initHome();
  const keyOut = spawnSync(process.execPath, [BIN, 'key', 'create', 'bench', '--role', 'admin', '--json'], {
    env: t.env,
    encoding: 'utf8',
  });
  const key = JSON.parse(keyOut.stdout).key;
  // 200 recorded runs to list.
  const engine = openEngine({ home: t.home, env: t.env });
  const repo = new RunRepo(engine.db);
  engine.db.transaction(() => {
    for (let i = 0; i < 200; i++)
      repo.insertQueued({
        agentName: 'hello',
        environmentName: 'default',
        input: { userInput: `q${i}` },
        model: 'm',
        pid: 1,
        now: Date.now(),
      });
  })();
  await engine.close();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn'], {
    env: t.env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await waitForLine(child, /listening on (http:\/\/\S+)/);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(child.pid);
    const headers = { Authorization: `Bearer ${key}` };
    const list = `${url}/api/v1/runs?limit=50`;
    const body = await (await fetch(list, { headers })).text();
    const figures = await coldAndWarm(child.pid, list, headers);
    return { ...figures, idle, loaded: rssMb(child.pid), body };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    t.cleanup();
  }
}

for (const viewers of [1, 10, 100]) {
  const { samples, received } = await fanOut(viewers);
  report(
    `ws fan-out latency, ${viewers} viewer${viewers === 1 ? '' : 's'} (${EVENTS} events)`,
    `p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms (${received}/${EVENTS * viewers} received)`,
  );
}
const s = await serveFigures();
const bare = await bareBaseline(s.body);
const figure = (f) =>
  `${f.rps.toFixed(0)} req/s${f.failed > 0 ? `, ${f.failed} failed` : ''}, server CPU ${f.cpuPerRequest.toFixed(3)} ms/request`;
report('GET /api/v1/runs?limit=50, 2000 requests 8 at a time, warm (aim >= 2000 req/s)', figure(s.warm));
report('  the same JSON from a bare node:http server (baseline)', figure(bare.warm));
report('  the first 2000 requests after start (cold)', figure(s.cold));
report('  the bare server, cold', figure(bare.cold));
report('stn serve RSS idle (aim <= 80 MB)', `${s.idle.toFixed(1)} MB`);
report('stn serve RSS after the requests', `${s.loaded.toFixed(1)} MB`);
