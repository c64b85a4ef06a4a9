// Shared by the MCP, sync and command tests: real MCP servers from devDependencies and the tiny fixture
// server, started with this node executable (never npx), and checks that no process is left behind.
import { applyKey, isEncryptedDatabase } from '../../../src/core/store/database-cipher.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3-multiple-ciphers';
import { expect } from 'vitest';
import type { McpServerConfig } from '../../../src/core/index.js';
import { childStart, type ProcessStart } from '../../../src/core/os/process-identity.js';
import { makeInitializedHome, RIG_TEST_KEY, type TempHome } from '../../helpers/home.js';
import { dumpPgStore, pgStoreOf, tableNames, tableRows } from '../../helpers/stores.js';
import type { StoreDb } from '../../../src/core/store/store-db.js';

const require = createRequire(import.meta.url);

export const TINY_SERVER = fileURLToPath(new URL('../../fixtures/mcp/tiny-server.js', import.meta.url));

/** The JS entry of an installed MCP server package (its package.json "bin"). */
export function packageEntry(pkg: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof json.bin === 'string' ? json.bin : Object.values(json.bin)[0];
  if (bin === undefined) throw new Error(`${pkg} has no bin`);
  return join(dirname(manifest), bin);
}

export const FILESYSTEM_SERVER = packageEntry('@modelcontextprotocol/server-filesystem');
export const EVERYTHING_SERVER = packageEntry('@modelcontextprotocol/server-everything');

/** A template.json entry that runs the tiny fixture server with these arguments. */
export function tinyEntry(...args: string[]): { command: string; args: string[]; timeout_ms?: number } {
  return { command: process.execPath, args: [TINY_SERVER, ...args] };
}

/** A rendered stdio server config for McpPool tests. */
export function stdioConfig(name: string, args: string[], extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    name,
    file: '/test/template.json',
    transport: 'stdio',
    command: process.execPath,
    args,
    env: {},
    cwd: process.cwd(),
    timeoutMs: 15_000,
    disabled: false,
    ...extra,
  } as McpServerConfig;
}

export function httpConfig(name: string, url: string, extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    name,
    file: '/test/template.json',
    transport: 'http',
    url,
    headers: {},
    timeoutMs: 15_000,
    disabled: false,
    ...extra,
  } as McpServerConfig;
}

/** Writes an environment's template.json with these servers. */
export function writeTemplate(envDir: string, servers: Record<string, unknown>, file = 'template.json'): void {
  writeFileSync(join(envDir, file), JSON.stringify({ mcpServers: servers }, null, 2));
}

/** Whether a process is running (a zombie counts as ended). Linux: reads /proc. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids written by the fixture server's --pid-file. */
export function pidsIn(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/** Waits until every pid has ended (children are reaped asynchronously). */
export async function expectAllEnded(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  await expect
    .poll(() => pids.filter(isRunning), { timeout: timeoutMs, message: 'processes still running' })
    .toEqual([]);
}

/** A process group that ignores SIGTERM (only SIGKILL ends it), with a child that does too. */
const STUBBORN = `process.on('SIGTERM', () => {});
const c = require('node:child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
console.log(c.pid);
setInterval(() => {}, 1000);`;

export interface StubbornGroup {
  /** The group, which is also its leader's pid. */
  pgid: number;
  /** The leader and its child. */
  pids: number[];
  /** The leader's start, as Station records it. */
  start: ProcessStart;
  /** SIGKILL to the whole group (cleanup). */
  kill(): void;
}

/** Starts a process group of two processes that only SIGKILL ends; resolves once both run. */
export async function stubbornGroup(): Promise<StubbornGroup> {
  const child = spawn(process.execPath, ['-e', STUBBORN], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const pgid = child.pid!;
  const start = childStart(pgid);
  const grandchild = await new Promise<number>((resolve) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
  });
  child.stdout.destroy();
  child.unref();
  return {
    pgid,
    pids: [pgid, grandchild],
    start,
    kill: () => {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Ended already.
      }
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr !== null && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** server-everything over HTTP (`streamableHttp` or `sse`) on an ephemeral port; resolves once it listens. */
export async function startEverythingHttp(
  mode: 'streamableHttp' | 'sse',
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [EVERYTHING_SERVER, mode], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const listening = await new Promise<boolean>((resolve) => {
      const onData = (d: Buffer): void => {
        output += d.toString();
        if (/listening on port|running on port/i.test(output)) resolve(true);
        if (/EADDRINUSE|Failed to start/i.test(output)) resolve(false);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => resolve(false));
      setTimeout(() => resolve(false), 15_000);
    });
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    };
    if (listening) return { url: `http://127.0.0.1:${String(port)}/${mode === 'sse' ? 'sse' : 'mcp'}`, child, stop };
    await stop();
    if (attempt >= 2) throw new Error(`server-everything ${mode} did not start: ${output}`);
  }
}

/** A Station home whose default environment runs only the tiny fixture server and has no agents. */
export function fixtureHome(): { home: TempHome; envDir: string } {
  const home = makeInitializedHome();
  const envDir = join(home.paths.environments, 'default');
  // The default template uses npx; tests use the local fixture server instead.
  writeTemplate(envDir, { tiny: tinyEntry() });
  for (const f of readdirSync(join(envDir, 'agents'))) rmSync(join(envDir, 'agents', f));
  return { home, envDir };
}

/** Writes an agent file naming these tools. */
export function writeAgent(envDir: string, name: string, tools: readonly string[]): void {
  writeFileSync(
    join(envDir, 'agents', `${name}.prompt`),
    `---\nmetadata:\n  name: ${name}\ntools:\n${tools.map((t) => `  - "${t}"`).join('\n')}\n---\n{{role "system"}}\nHi.\n{{role "user"}}\n{{userInput}}\n`,
  );
}

/** Every row of every table of a Station database, as text (to compare before and after). */
export function dumpDatabase(file: string): string {
  // STATION_TEST_STORE=postgres: the home's (or rig's) store is a PostgreSQL schema.
  const pg = pgStoreOf(dirname(file));
  if (pg !== undefined) return dumpPgStore(pg);
  const db = new Database(file, { readonly: true });
  keyForTest(db, file);
  try {
    const store = db as unknown as StoreDb;
    return JSON.stringify(tableNames(store).map((t) => [t, tableRows(store, t)]));
  } finally {
    db.close();
  }
}

/** Path, mode and content of every file under a folder except the database files. */
export function dumpFiles(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith('station.db'))
        out.push(`${p} ${String(statSync(p).mode)} ${readFileSync(p, 'base64')}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

/** An encrypted test database (STATION_TEST_ENCRYPT_DB=1) keyed as Station keys it: the home's key file, else the rig's key. */
function keyForTest(db: Database.Database, file: string): void {
  if (!isEncryptedDatabase(file)) return;
  const keyFile = join(dirname(file), 'keys', 'station.key');
  const key = existsSync(keyFile) ? Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64') : RIG_TEST_KEY;
  applyKey(db, key);
}
