import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `stn` (bin/run.js) as a child process; needs `npm run build` first. `umask` (e.g. 0o000)
 * runs it through `sh -c 'umask ...; exec node ...'`, since a child's umask cannot be set by spawn.
 */
export function runStn(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number; umask?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] =
      options.umask === undefined
        ? [process.execPath, [BIN, ...args]]
        : [
            '/bin/sh',
            [
              '-c',
              `umask ${options.umask.toString(8).padStart(3, '0')}; exec "$0" "$@"`,
              process.execPath,
              BIN,
              ...args,
            ],
          ];
    const child = spawn(command, argv, {
      // Diagnostics as a person reads them (stderr is a pipe here, where stn writes JSON lines by default);
      // a test of the JSON lines sets STATION_LOG_FORMAT (to '' for the default) or passes --log-format.
      env: { STATION_LOG_FORMAT: 'text', ...(options.env ?? process.env) },
      cwd: options.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stn ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

let configPromise: Promise<Config> | undefined;

/** The oclif Config of this package, loaded once (from the manifest, like the real binary). */
export function loadConfig(): Promise<Config> {
  configPromise ??= Config.load(ROOT);
  return configPromise;
}

/**
 * Runs a command class in this process with stdout and stderr captured, as `stn` would, and returns
 * what it printed and the exit code it set.
 */
export async function runCommand(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult & { result: unknown }> {
  const config = await loadConfig();
  // Diagnostics as text, as runStn has them (a test of the JSON lines sets STATION_LOG_FORMAT).
  env = { STATION_LOG_FORMAT: 'text', ...env };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
  let stdout = '';
  let stderr = '';
  const outWrite = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  const previousExit = process.exitCode;
  process.exitCode = undefined;
  let result: unknown;
  let code: number | null = 0;
  try {
    result = await config.runCommand(argv[0] ?? '', [...argv.slice(1)]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    process.exitCode = previousExit;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
  return { code, stdout, stderr, result };
}

/** What a terminal showed: stdout and stderr together, without colour codes and carriage returns. */
export interface TerminalResult {
  code: number | null;
  screen: string;
}

/**
 * Runs the built `stn` in a pseudo-terminal (util-linux `script`), so stdin, stdout and stderr are all a TTY
 * as when a person runs it; `input` is what they type.
 */
export function runStnOnTerminal(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<TerminalResult> {
  const quote = (a: string): string => `'${a.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: options.env ?? process.env,
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stn ${args.join(' ')} (on a terminal) timed out\n${screen}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      resolve({ code, screen: screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replaceAll('\r', '') });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A `stn` child started in the background: what it printed so far, signals, and its end. */
export interface StnProcess {
  readonly stdout: () => string;
  readonly stderr: () => string;
  kill(signal: NodeJS.Signals): void;
  /** Settles when it has exited (killed with SIGKILL after `timeoutMs`, default 30 s). */
  done: Promise<CliResult>;
}

/** Starts the built `stn` without waiting for it, for tests that act while it runs (needs `npm run build`). */
export function startStn(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): StnProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: options.env ?? process.env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { stdout: () => stdout, stderr: () => stderr, kill: (signal) => child.kill(signal), done };
}
