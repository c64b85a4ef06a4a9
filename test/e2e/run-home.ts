// A Station home for running agents end to end: initialized, its filesystem MCP server started with
// node + the package's JS entry (never npx), and a few test agents.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { vi } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';

const require = createRequire(import.meta.url);

export const FS_ENTRY = join(
  dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')),
  'dist',
  'index.js',
);

export interface RunHome extends TempHome {
  /** The folder the filesystem server serves. */
  files: string;
  /** Environment for a spawned stn that talks to the model server at `modelUrl`. */
  envFor(modelUrl: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  writeAgent(name: string, text: string): void;
}

export function makeRunHome(options: { encryptDb?: boolean } = {}): RunHome {
  const temp = makeInitializedHome(undefined, options);
  const files = join(temp.home, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'readme.txt'), 'Station test file\n');
  const envDir = join(temp.home, 'environments', 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify({ mcpServers: { filesystem: { command: process.execPath, args: [FS_ENTRY, files] } } }, null, 2),
  );
  const writeAgent = (name: string, text: string): void => {
    writeFileSync(join(envDir, 'agents', `${name}.prompt`), text);
  };
  writeAgent(
    'reader',
    `---
metadata:
  name: reader
  description: Reads files.
max_steps: 4
tools:
  - __list_directory
  - filesystem__read_text_file
---
{{role "system"}}
You read files.
{{role "user"}}
{{userInput}}
`,
  );
  writeAgent(
    'counter',
    `---
metadata:
  name: counter
model: agent-model
input:
  schema:
    userInput: string
    count: integer, how many
output:
  format: json
  schema:
    total: integer
---
Count to {{count}}.
`,
  );
  return {
    ...temp,
    files,
    envFor: (modelUrl, extra = {}) => ({
      ...temp.env,
      OPENAI_BASE_URL: modelUrl,
      OPENAI_API_KEY: 'sk-e2e-secret-key-123',
      ...extra,
    }),
    writeAgent,
  };
}

/** A started `stn`: the process, what it wrote so far, and its exit code once it ends. */
export interface StnProcess {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Starts `stn ARGS` without waiting; stdout/stderr are collected. */
export function startStn(args: readonly string[], env: NodeJS.ProcessEnv): StnProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end();
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? null : 128))),
  );
  return { child, output: () => ({ stdout, stderr }), exited };
}

/**
 * Starts `stn serve` on a free port with `env`, added to `servers` at once (so stopServers ends it even when it
 * never listens); its base URL once it listens.
 */
export async function serveStn(
  env: NodeJS.ProcessEnv,
  servers: StnProcess[],
  flags: readonly string[] = [],
): Promise<{ url: string; server: StnProcess }> {
  const server = startStn(['serve', '--port', '0', ...flags], env);
  servers.push(server);
  let url = '';
  await vi.waitFor(
    () => {
      const match = /Station listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output().stdout);
      if (match?.[1] === undefined) throw new Error(`not listening yet: ${server.output().stderr}`);
      url = match[1];
    },
    { timeout: 30_000, interval: 50 },
  );
  return { url, server };
}

/** Kills the servers (SIGKILL) and waits until each has exited; empties the list. */
export async function stopServers(servers: StnProcess[]): Promise<void> {
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/** Pids of processes whose command line mentions `marker` (e.g. a temp home path). */
export function processesMentioning(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -eo'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}
