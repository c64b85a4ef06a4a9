// MCP startup and sync: the time to start one small stdio server alone (spawn, initialize, list tools),
// then `stn sync --json` over an environment with 1, 10 and 50 of them. Servers start concurrently, so
// 50 should take far less than 50 times one.
import { spawn, spawnSync } from 'node:child_process';
import { setImmediate } from 'node:timers';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, fmt, median, report, tempHome } from './lib.js';

const SERVER = fileURLToPath(new URL('../test/fixtures/mcp/tiny-server.js', import.meta.url));
const { McpPool } = await import('../dist/core/mcp/pool.js');
const { ProcessGuard } = await import('../dist/core/mcp/process-guard.js');
const { guardianPid } = await import('../dist/core/mcp/guardian.js');

function config(name) {
  return {
    name,
    file: '/bench/template.json',
    transport: 'stdio',
    command: process.execPath,
    args: [SERVER],
    env: {},
    cwd: process.cwd(),
    timeoutMs: 120_000,
    disabled: false,
  };
}

async function timePool(n, guard = false) {
  const start = process.hrtime.bigint();
  const pool = await McpPool.start(
    Array.from({ length: n }, (_, i) => config(`s${i}`)),
    { guard },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const failed = pool.status().filter((s) => s.state !== 'ready');
  await pool.close();
  if (failed.length > 0) throw new Error(`${failed.length} servers failed: ${failed[0].error}`);
  return ms;
}

/**
 * What tracking adds on the way to starting a server, alone: ProcessGuard.track on fresh process groups
 * (synchronous: a /proc read, a record file, a line to the guardian), and the guardian's start, which the
 * first one schedules for the next turn of the event loop.
 */
async function timeTrack(n) {
  const dir = mkdtempSync(join(tmpdir(), 'station-bench-run-'));
  const guard = new ProcessGuard({ recordsDir: dir });
  const times = [];
  let guardianStart = 0;
  try {
    for (let i = 0; i < n; i++) {
      const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
      const start = process.hrtime.bigint();
      const release = guard.track(child.pid, { server: `s${i}`, command: 'sleep' });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (i === 0) {
        const turn = process.hrtime.bigint();
        await new Promise((resolve) => setImmediate(resolve));
        guardianStart = Number(process.hrtime.bigint() - turn) / 1e6;
      }
      child.kill('SIGKILL');
      release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { perServer: median(times), guardianStart };
}
const track = await timeTrack(21);

// One server alone, in process (no CLI): the unit everything else is compared with. Interleaved with the
// same start guarded as `stn` guards it against kill -9: the guardian (a process started once, with the
// first server tracked) and a record file per server in the home.
const records = mkdtempSync(join(tmpdir(), 'station-bench-run-'));
const alone = [];
const guarded = [];
try {
  await timePool(1); // warm-up, not counted
  for (let i = 0; i < 7; i++) {
    alone.push(await timePool(1));
    guarded.push(await timePool(1, new ProcessGuard({ recordsDir: records })));
  }
} finally {
  rmSync(records, { recursive: true, force: true });
}
const one = median(alone);

const cores = availableParallelism();
report('start 1 stdio server alone, in process (median of 7)', fmt(one));
let rss = '?';
try {
  rss = readFileSync(`/proc/${guardianPid()}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? '?';
} catch {
  // No /proc (macOS).
}
report(
  '  the same, guarded against kill -9 (median of 7)',
  `${fmt(median(guarded))}  (${median(guarded) >= one ? '+' : ''}${fmt(median(guarded) - one)})`,
);
report(
  '  of which ProcessGuard.track',
  `${track.perServer.toFixed(2)} ms per server (median of 21); the guardian's start, once: ${fmt(track.guardianStart)}; its RSS ${rss} kB`,
);
report('machine', `${cores} cores, load average ${loadavg()[0].toFixed(1)}`);
// Each server is a node process that spends most of its start on CPU, so with C cores n servers cannot
// start in less than about n x one / C, however concurrent the pool is.
const floor = (n) => `floor ~${fmt((n * one) / Math.min(n, cores))}`;

const t = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: t.env, stdio: 'ignore' });
  const envDir = join(t.home, 'environments', 'default');
  rmSync(join(envDir, 'agents'), { recursive: true, force: true });
  for (const [n, runs] of [
    [1, 5],
    [10, 3],
    [50, 3],
  ]) {
    const servers = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `s${i}`,
        { command: process.execPath, args: [SERVER], timeout_ms: 120_000 },
      ]),
    );
    writeFileSync(join(envDir, 'template.json'), JSON.stringify({ mcpServers: servers }, null, 2));
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [BIN, 'sync', '--json'], {
        env: t.env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (r.status !== 0)
        throw new Error(`stn sync with ${n} servers failed (${r.status}): ${r.stdout.slice(0, 500)} ${r.stderr}`);
    }
    const ms = median(samples);
    report(
      `stn sync, ${n} server${n === 1 ? '' : 's'} (median of ${runs})`,
      `${fmt(ms)}  = ${(ms / one).toFixed(1)}x one alone; ${floor(n)}`,
    );
  }
  const pool50 = await timePool(50);
  report(
    'start 50 servers, in process (pool only)',
    `${fmt(pool50)}  = ${(pool50 / one).toFixed(1)}x one alone (50x if serial); ${floor(50)}`,
  );
} finally {
  t.cleanup();
}
