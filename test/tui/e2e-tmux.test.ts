// End to end: the real binary (bin/run.js, built) in a real pseudo-terminal: tmux from Debian's packages
// (.ci/run installs it). Needs `npm run build` first, like the other e2e tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/core/index.js';
import { startStn } from '../e2e/run-home.js';
import { BIN, ROOT, runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';
import { startModelServer, toolLoop, type ModelServer } from '../helpers/model-server.js';
import { FILESYSTEM_SERVER, LISTER_PROMPT } from './helpers/station.js';

const SOCKET = `stn-e2e-${String(process.pid)}`;
const TRACE_IMPORTS = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function capture(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

function paneInfo(session: string, format: string): string {
  return tmux('display-message', '-p', '-t', session, format).trim();
}

function waitForScreen(
  session: string,
  check: (screen: string) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<string> {
  return vi.waitFor(
    () => {
      const screen = capture(session);
      if (!check(screen)) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
      return screen;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

/** Processes whose command line mentions `needle` (Linux /proc). */
function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    if (cmdline.split('\0').some((arg) => arg.includes(needle))) pids.push(Number(entry));
  }
  return pids;
}

/** Starts `node bin/run.js ARGS` in a detached 80x24 tmux session; the pane stays after the program exits. */
function startInTmux(session: string, temp: TempHome, args: string[], extraEnv: string[] = []): void {
  // CI and the rest of the environment are passed on as they are (stn ui draws on a terminal even in CI).
  const env = [`STATION_HOME=${temp.home}`, 'NO_COLOR=1', 'TERM=xterm-256color', ...extraEnv];
  const quote = (a: string): string => `'${a.replaceAll("'", "'\\''")}'`;
  const stn = ['env', ...env, process.execPath, BIN, ...args].map(quote).join(' ');
  // After stn exits, the shell prints its exit code and keeps the pane (and its terminal state) open.
  const command = `${stn}; echo "EXITED:$?"; exec sleep 600`;
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', ROOT, 'sh', '-c', command);
}

/** A port free now on 127.0.0.1 (so a server can be started on it again after it was killed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A home with the lister agent on server-filesystem over a project folder (returned). */
function listerHome(temp: TempHome): string {
  const project = join(temp.home, 'e2e-project');
  mkdirSync(project);
  writeFileSync(join(project, 'README.md'), 'hello\n');
  const envDir = join(temp.paths.environments, 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify({ mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, project] } } }),
  );
  writeFileSync(join(envDir, 'agents', 'lister.prompt'), LISTER_PROMPT);
  return project;
}

describe('stn ui in a real terminal (tmux)', () => {
  let temp: TempHome | undefined;
  let model: ModelServer | undefined;
  afterEach(async () => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    await model?.close();
    temp?.cleanup();
    temp = undefined;
    model = undefined;
  });

  it('opens full screen at 80x24, syncs, runs an agent, resizes, and q restores the terminal and leaves no process', async () => {
    temp = makeInitializedHome();
    const project = join(temp.home, 'e2e-project');
    mkdirSync(project);
    writeFileSync(join(project, 'README.md'), 'hello\n');
    const envDir = join(temp.paths.environments, 'default');
    writeFileSync(
      join(envDir, 'template.json'),
      JSON.stringify({ mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, project] } } }),
    );
    writeFileSync(join(envDir, 'agents', 'lister.prompt'), LISTER_PROMPT);
    model = await startModelServer({
      script: toolLoop({
        tool: 'filesystem__list_directory',
        args: { path: project },
        steps: 1,
        finalText: 'One README.',
      }),
    });
    startInTmux('ui', temp, ['ui'], [`OPENAI_BASE_URL=${model.url}`, 'OPENAI_API_KEY=test-key']);
    let screen = await waitForScreen('ui', (s) => s.includes('file-explorer'), 'the Agents screen');
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^ Station │ env: default │ local /);
    expect(screen).toContain('[2 Agents]');
    expect(screen).toMatch(/hello\s+default\s+0/);
    expect(screen.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(screen).toContain('? help');
    expect(paneInfo('ui', '#{alternate_on}')).toBe('1');

    tmux('send-keys', '-t', 'ui', '1');
    screen = await waitForScreen('ui', (s) => /default \*\s+3\s+0\s+0/.test(s), 'the Environments screen');
    tmux('send-keys', '-t', 'ui', 's');
    screen = await waitForScreen('ui', (s) => s.includes('Sync default: done'), 'the sync result');
    expect(screen).toMatch(/✓ 1\/1 servers ready, 14 tools/);

    // Run the lister agent from its form: the trace fills in; the MCP server stays up for the engine.
    tmux('send-keys', '-t', 'ui', '2');
    await waitForScreen('ui', (s) => s.includes('[2 Agents]') && s.includes('lister'), 'the agents');
    tmux('send-keys', '-t', 'ui', 'j', 'j');
    await waitForScreen('ui', (s) => s.includes('›lister'), 'lister selected');
    tmux('send-keys', '-t', 'ui', 'r');
    await waitForScreen('ui', (s) => s.includes('› userInput'), 'the run form');
    tmux('send-keys', '-t', 'ui', 'Tab');
    await waitForScreen('ui', (s) => s.includes('› path'), 'the path field');
    tmux('send-keys', '-t', 'ui', '-l', project);
    tmux('send-keys', '-t', 'ui', 'Enter');
    screen = await waitForScreen('ui', (s) => s.includes('run.finished completed'), 'the finished trace');
    expect(screen).toContain('[4 Trace]');
    expect(screen).toMatch(/⚙ filesystem__list_directory/);
    expect(processesWith(project).length).toBeGreaterThan(0);

    tmux('send-keys', '-t', 'ui', '?');
    screen = await waitForScreen('ui', (s) => s.includes('Everywhere'), 'the help overlay');
    tmux('send-keys', '-t', 'ui', 'Escape');
    await waitForScreen('ui', (s) => s.includes('run.finished completed'), 'the help closed');

    // Resize the terminal: the layout follows.
    tmux('resize-window', '-t', 'ui', '-x', '120', '-y', '30');
    screen = await waitForScreen('ui', (s) => s.split('\n').some((l) => l.length > 100), 'a wider frame');
    // The key line is one line (a finished run's trace offers no cancel).
    expect(screen.split('\n').filter((l) => l.includes('enter expand'))).toHaveLength(1);
    expect(screen).not.toContain('c cancel run');

    tmux('send-keys', '-t', 'ui', 'q');
    screen = await waitForScreen('ui', (s) => s.includes('EXITED:'), 'stn to exit');
    expect(screen).toContain('EXITED:0');
    // Back on the normal screen, cursor shown, nothing of the UI left on it.
    expect(paneInfo('ui', '#{alternate_on}')).toBe('0');
    expect(paneInfo('ui', '#{cursor_flag}')).toBe('1');
    expect(screen).not.toContain('Station │');
    // The MCP server started by the sync was stopped with the engine.
    await waitForScreen('ui', () => processesWith(project).length === 0, 'no MCP server left', 20_000);
  }, 180_000);

  it('--remote: the server killed shows "disconnected" and a stale row; restarted on its port, the UI catches up', async () => {
    temp = makeInitializedHome();
    const project = listerHome(temp);
    model = await startModelServer({ script: [{ text: 'never shown', delayMs: 120_000 }] });
    const env = { ...temp.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'test-key', NO_COLOR: '1' };
    const created = await runStn(['key', 'create', 'tmux', '--json'], { env });
    expect(created.code).toBe(0);
    const key = (JSON.parse(created.stdout) as { key: string }).key;
    const port = await freePort();
    const url = `http://127.0.0.1:${String(port)}`;
    const serve = (): ReturnType<typeof startStn> =>
      startStn(['serve', '--host', '127.0.0.1', '--port', String(port), '--grace', '0'], env);
    const listening = (stn: ReturnType<typeof startStn>): Promise<void> =>
      vi.waitFor(
        () => {
          if (!stn.output().stdout.includes('Station listening on'))
            throw new Error(`not listening yet: ${stn.output().stderr}`);
        },
        { timeout: 30_000, interval: 50 },
      );
    let server = serve();
    try {
      await listening(server);
      // A run started on the server by another client: running when the server dies.
      const { run } = await new ApiClient({ url, key }).startRun('default', 'lister', {
        input: { userInput: 'x', path: project },
      });
      await model.waitForRequests(1);
      startInTmux('remote', temp, ['ui', '--remote', url, '--key', key]);
      await waitForScreen('remote', (s) => s.includes(`remote ${url}`), 'the remote UI');
      tmux('send-keys', '-t', 'remote', '3');
      let screen = await waitForScreen(
        'remote',
        (s) => new RegExp(`#${String(run.id)}\\s+lister\\s+● running`).test(s),
        'the running run',
      );
      expect(screen).toContain('● 1 running');

      server.child.kill('SIGKILL');
      await server.exited;
      screen = await waitForScreen('remote', (s) => s.includes('disconnected'), '"disconnected" in the header', 2000);
      expect(screen.split('\n')[0]).toMatch(/^ Station │ env: default │ ✗ disconnected, retrying/);
      screen = await waitForScreen(
        'remote',
        (s) => new RegExp(`#${String(run.id)}\\s+lister\\s+◌ stale`).test(s),
        'the run marked stale',
      );
      expect(screen).toContain('◌ 1 stale');
      expect(screen).not.toContain('● running');
      expect(screen.split('\n').every((l) => l.length <= 80)).toBe(true);

      // Back on the same port: the server marks the run of the dead process interrupted; the UI shows it.
      server = serve();
      await listening(server);
      screen = await waitForScreen(
        'remote',
        (s) => new RegExp(`#${String(run.id)}\\s+lister\\s+✗ interrupt`).test(s) && !s.includes('disconnected'),
        'the caught-up run list',
        30_000,
      );
      expect(screen.split('\n')[0]).toMatch(new RegExp(`remote ${url}.* idle$`));
      tmux('send-keys', '-t', 'remote', 'q');
      expect(await waitForScreen('remote', (s) => s.includes('EXITED:'), 'stn to exit')).toContain('EXITED:0');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      // The MCP server the killed `stn serve` had started (found by its project folder, ours to end).
      for (const pid of processesWith(project)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 180_000);

  it('bare `stn` on a terminal opens the UI (even with CI=true set); Ctrl-C quits it with exit 0', async () => {
    temp = makeInitializedHome();
    const imports = join(temp.home, 'imports.txt');
    writeFileSync(imports, '');
    startInTmux(
      'bare',
      temp,
      [],
      ['CI=true', `NODE_OPTIONS=--import=${TRACE_IMPORTS}`, `STATION_TRACE_IMPORTS=${imports}`],
    );
    await waitForScreen('bare', (s) => s.includes('file-explorer'), 'the UI');
    tmux('send-keys', '-t', 'bare', 'C-c');
    expect(await waitForScreen('bare', (s) => s.includes('EXITED:'), 'stn to exit')).toContain('EXITED:0');
    expect(paneInfo('bare', '#{alternate_on}')).toBe('0');
    expect(paneInfo('bare', '#{cursor_flag}')).toBe('1');
    // The local UI loads what it draws with: not Ink's devtools (and the WebSocket library they pull in),
    // nor the code that runs agents, before anything is run.
    const loaded = readFileSync(imports, 'utf8');
    expect(loaded).toContain('/dist/tui/launch.js');
    for (const unused of ['/node_modules/ws/', '/node_modules/@modelcontextprotocol/sdk/', '/node_modules/openai/'])
      expect(loaded).not.toContain(unused);
  }, 180_000);

  it('--env picks the environment; an unknown one is a clear error (exit 3) before the screen opens', async () => {
    temp = makeInitializedHome();
    startInTmux('env', temp, ['ui', '--env', 'nope']);
    const screen = await waitForScreen('env', (s) => s.includes('EXITED:'), 'stn to exit');
    expect(screen).toContain('environment "nope" does not exist');
    expect(screen).toContain('EXITED:3');
    expect(paneInfo('env', '#{alternate_on}')).toBe('0');
    mkdirSync(join(temp.paths.environments, 'staging', 'agents'), { recursive: true });
    startInTmux('staging', temp, ['ui', '--env', 'staging']);
    expect(await waitForScreen('staging', (s) => s.includes('No agents in staging'), 'the staging agents')).toContain(
      'env: staging',
    );
    tmux('send-keys', '-t', 'staging', 'q');
    expect(await waitForScreen('staging', (s) => s.includes('EXITED:'), 'stn to exit')).toContain('EXITED:0');
  }, 180_000);

  it('without a terminal, `stn ui` refuses with a clear message and exit 2; bare `stn` prints help', async () => {
    temp = makeInitializedHome();
    const ui = await runStn(['ui'], { env: temp.env });
    expect(ui.code).toBe(2);
    expect(ui.stderr).toContain('stn ui needs a terminal');
    expect(ui.stdout).toBe('');
    const bare = await runStn([], { env: temp.env });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('USAGE');
    expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toContain('"stn"');
  });
});
