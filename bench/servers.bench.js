// Several servers on one PostgreSQL store (issue 19): 200 runs (one tool call to the real filesystem MCP server,
// then the answer; 200 ms model latency per call: 400 ms ideal per run) submitted round-robin to 1, 2 and 3
// `stn serve` processes on this machine; prints throughput, p50/p99 run latency (created -> finished), the time
// a survivor takes to mark a killed server's run interrupted (failover), and a soak with a server killed with
// SIGKILL and restarted while runs go on: events lost (gaps in a run's seqs) and runs executed twice (more than
// one run.started), both of which must be 0.
//
// Needs the built stn and PostgreSQL (STATION_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test);
// each case uses a schema of its own, dropped after. SOAK_SECONDS (default 90) sets the soak's length.
/* global fetch, setInterval, clearInterval */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startModelServer, toolLoop } from '../test/helpers/model-server.js';
import { BIN, median, percentile, report, tempHome } from './lib.js';

const require = createRequire(import.meta.url);
const FS_ENTRY = join(
  dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')),
  'dist',
  'index.js',
);
const PG_URL = process.env.STATION_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = 200;
const LATENCY_MS = 200;
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
/** The folder every case's filesystem server serves (the model's tool call lists it). */
const FILES = mkdtempSync(join(tmpdir(), 'station-bench-files-'));
writeFileSync(join(FILES, 'readme.txt'), 'bench\n');

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A Station home on a fresh schema: the filesystem server, an agent `lister`, an admin key. */
async function makeHome({ workers = 50, leaseSeconds = 15 } = {}) {
  const schema = `stn_bench_${randomBytes(5).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE SCHEMA ${schema}`));
  const t = tempHome();
  const files = FILES;
  const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = { ...t.env, STATION_DATABASE_URL: url, OPENAI_API_KEY: 'sk-bench' };
  const init = spawnSync(process.execPath, [BIN, 'init'], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`stn init: ${init.stderr}`);
  const config = join(t.home, 'config.yaml');
  writeFileSync(
    config,
    readFileSync(config, 'utf8')
      .replace(/workers: \d+/, `workers: ${workers}`)
      .replace(/queue_size: \d+/, 'queue_size: 1000')
      .replace(/lease_seconds: \d+/, `lease_seconds: ${leaseSeconds}`),
  );
  const envDir = join(t.home, 'environments', 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify({ mcpServers: { filesystem: { command: process.execPath, args: [FS_ENTRY, files] } } }),
  );
  writeFileSync(
    join(envDir, 'agents', 'lister.prompt'),
    `---\nmetadata:\n  name: lister\nmax_steps: 4\ntools:\n  - filesystem__list_directory\n---\n{{role "user"}}\n{{userInput}}\n`,
  );
  const key = spawnSync(process.execPath, [BIN, 'key', 'create', 'bench', '--role', 'admin', '--json'], {
    env,
    encoding: 'utf8',
  });
  if (key.status !== 0) throw new Error(`stn key create: ${key.stderr}`);
  return {
    env,
    files,
    key: JSON.parse(key.stdout).key,
    cleanup: async () => {
      t.cleanup();
      await withAdmin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
  };
}

function serve(env) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let err = '';
  child.stderr.on('data', (d) => (err = (err + String(d)).slice(-2_000_000)));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Station listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`stn serve exited ${code}`));
    });
  });
  /** The server's warnings and errors (JSON log lines), by message. */
  const problems = () => {
    const counts = new Map();
    for (const line of err.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.level !== 'warn' && entry.level !== 'error') continue;
        const what = `${entry.level} ${entry.msg}${entry.error === undefined ? '' : `: ${String(entry.error)}`}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
      } catch {
        // a partial line
      }
    }
    return counts;
  };
  return { child, url, exited, problems };
}

async function api(base, key, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const startRun = (base, key, files) =>
  api(base, key, 'POST', '/api/v1/environments/default/agents/lister/runs', {
    input: { userInput: `list ${files}` },
  });

/** Every run row and its events, read from the store after the work (the truth, whichever server ran it). */
async function storedRuns(env) {
  const client = new pg.Client({ connectionString: env.STATION_DATABASE_URL });
  await client.connect();
  try {
    const runs = (
      await client.query('SELECT id, status, error, pid, host, created_at, finished_at FROM agent_runs ORDER BY id')
    ).rows;
    // int8 columns come back as text from a plain pg client: numbers here.
    const events = (await client.query('SELECT run_id, seq, type FROM run_events ORDER BY run_id, seq')).rows.map(
      (e) => ({ run_id: Number(e.run_id), seq: Number(e.seq), type: e.type }),
    );
    return {
      runs: runs.map((r) => ({ ...r, created_at: Number(r.created_at), finished_at: Number(r.finished_at) })),
      events,
    };
  } finally {
    await client.end();
  }
}

/** Gaps in each run's seqs (events lost) and runs with more than one run.started (executed twice). */
function integrity(events) {
  const byRun = new Map();
  for (const e of events) {
    const list = byRun.get(e.run_id) ?? [];
    list.push(e);
    byRun.set(e.run_id, list);
  }
  let lost = 0;
  let twice = 0;
  for (const list of byRun.values()) {
    list.forEach((e, i) => {
      if (e.seq !== i + 1) lost++;
    });
    if (list.filter((e) => e.type === 'run.started').length > 1) twice++;
  }
  return { lost, twice };
}

async function waitAllFinished(env, count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { runs } = await storedRuns(env);
    const done = runs.filter((r) => !['queued', 'running'].includes(r.status)).length;
    if (done >= count || Date.now() > deadline) return runs;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function throughputCase(servers) {
  const home = await makeHome();
  const procs = Array.from({ length: servers }, () => serve(home.env));
  try {
    const urls = await Promise.all(procs.map((p) => p.url));
    const start = Date.now();
    await Promise.all(Array.from({ length: RUNS }, (_, i) => startRun(urls[i % urls.length], home.key, home.files)));
    const runs = await waitAllFinished(home.env, RUNS, 180_000);
    const finished = runs.filter((r) => r.status === 'completed');
    const end = Math.max(...finished.map((r) => r.finished_at));
    const latencies = finished.map((r) => r.finished_at - r.created_at);
    const seconds = (end - start) / 1000;
    const { events } = await storedRuns(home.env);
    const { lost, twice } = integrity(events);
    // Runs that did not complete, by status and error: what a reader needs to judge the figure.
    const others = new Map();
    for (const r of runs.filter((x) => x.status !== 'completed')) {
      const why = `${r.status}: ${r.error === null ? '-' : (JSON.parse(r.error).message ?? r.error)}`;
      others.set(why, (others.get(why) ?? 0) + 1);
    }
    for (const [why, n] of others) console.log(`  not completed: ${String(n)} x ${why}`);
    if (process.env.BENCH_DEBUG === '1') {
      for (const r of runs.filter((x) => x.status !== 'completed')) {
        const types = events.filter((e) => e.run_id === Number(r.id)).map((e) => e.type);
        console.log(
          `  run ${String(r.id)} ${r.status} pid ${String(r.pid)} host ${String(r.host)}: ${types.join(' ')}`,
        );
      }
    }
    procs.forEach((p, i) => {
      for (const [what, n] of p.problems()) console.log(`  server ${String(i + 1)} logged ${String(n)} x ${what}`);
    });
    report(
      `${servers} server(s), ${RUNS} runs at ${LATENCY_MS} ms/model call`,
      `${(finished.length / seconds).toFixed(1)} runs/s  p50 ${median(latencies).toFixed(0)} ms  p99 ${percentile(latencies, 99).toFixed(0)} ms  (${finished.length} completed, ideal run 400 ms; lost ${lost}, twice ${twice})`,
    );
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await home.cleanup();
  }
}

async function failoverCase() {
  const leaseSeconds = 15;
  const home = await makeHome({ leaseSeconds });
  const a = serve(home.env);
  const b = serve(home.env);
  try {
    const [urlA, urlB] = await Promise.all([a.url, b.url]);
    const { id } = await startRun(urlB, home.key, home.files);
    // Let it start on B, then kill B mid-run.
    for (;;) {
      const run = await api(urlA, home.key, 'GET', `/api/v1/runs/${id}?events=false`);
      if (run.status === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    b.child.kill('SIGKILL');
    await b.exited;
    const killed = Date.now();
    for (;;) {
      const run = await api(urlA, home.key, 'GET', `/api/v1/runs/${id}?events=false`);
      if (run.status !== 'running' && run.status !== 'queued') {
        report(
          `failover: a run of a killed server marked ${run.status}`,
          `after ${((Date.now() - killed) / 1000).toFixed(1)} s (lease ${leaseSeconds} s, sweep every ${leaseSeconds / 3} s; bound ${(leaseSeconds * 4) / 3} s)`,
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGKILL');
    await Promise.all([a.exited, b.exited]);
    await home.cleanup();
  }
}

async function soakCase() {
  const home = await makeHome({ workers: 20, leaseSeconds: 6 });
  const procs = [serve(home.env), serve(home.env), serve(home.env)];
  let submitted = 0;
  let refused = 0;
  try {
    const urls = await Promise.all(procs.map((p) => p.url));
    const end = Date.now() + SOAK_SECONDS * 1000;
    let killedAt = 0;
    let restarted = false;
    while (Date.now() < end) {
      const elapsed = SOAK_SECONDS * 1000 - (end - Date.now());
      if (killedAt === 0 && elapsed > (SOAK_SECONDS * 1000) / 3) {
        procs[2].child.kill('SIGKILL');
        await procs[2].exited;
        killedAt = Date.now();
      }
      if (!restarted && elapsed > (2 * SOAK_SECONDS * 1000) / 3) {
        procs[2] = serve(home.env);
        urls[2] = await procs[2].url;
        restarted = true;
      }
      const target = urls[submitted % urls.length];
      try {
        await startRun(target, home.key, home.files);
        submitted++;
      } catch {
        refused++; // the killed server, until it is back
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const runs = await waitAllFinished(home.env, submitted, 120_000);
    const { events } = await storedRuns(home.env);
    const { lost, twice } = integrity(events);
    const counts = {};
    for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
    report(
      `soak ${SOAK_SECONDS} s, 3 servers, one killed (SIGKILL) and restarted`,
      `${submitted} runs (${refused} refused while down): ${JSON.stringify(counts)}; events lost ${lost} (must be 0), runs executed twice ${twice} (must be 0)`,
    );
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await home.cleanup();
  }
}

const model = await startModelServer({
  script: toolLoop({
    tool: 'filesystem__list_directory',
    args: () => ({ path: FILES }),
    steps: 1,
    latencyMs: LATENCY_MS,
  }),
});
process.env.OPENAI_BASE_URL = model.url;
try {
  const cases = (process.env.BENCH_SERVERS ?? '1,2,3').split(',').map(Number);
  for (const servers of cases) await throughputCase(servers);
  // BENCH_SERVERS=2 SOAK_SECONDS=0 FAILOVER=0: one case alone.
  if (process.env.FAILOVER !== '0') await failoverCase();
  if (SOAK_SECONDS > 0) await soakCase();
} finally {
  await model.close();
  rmSync(FILES, { recursive: true, force: true });
}
