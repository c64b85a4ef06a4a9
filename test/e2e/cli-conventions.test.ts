// The command-line conventions of `stn`, run as a user runs it (bin/run.js, built): global flags before the
// command, -h and `stn help`, "did you mean" for mistyped commands, shell completion in real bash and zsh
// (Debian's packages, as .ci/run installs them), and destructive commands that ask on a terminal (a real
// pseudo-terminal from util-linux `script`) but need --yes in scripts. Needs `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../src/core/index.js';
import { BIN, runStn, runStnOnTerminal } from '../helpers/cli.js';
import { makeInitializedHome, makeTempHome, type TempHome } from '../helpers/home.js';

const TRACE = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));

describe('global flags, help and mistyped commands', { timeout: 120_000 }, () => {
  let temp: TempHome;
  /** STATION_HOME points at an empty folder: only --home finds the real one. */
  let elsewhere: TempHome;
  beforeAll(() => {
    temp = makeInitializedHome();
    elsewhere = makeTempHome();
  });
  afterAll(() => {
    temp.cleanup();
    elsewhere.cleanup();
  });

  it('takes --home, --debug and --json before the command as well as after it', async () => {
    for (const argv of [
      ['--home', temp.home, 'env', 'list', '--json'],
      [`--home=${temp.home}`, '--json', 'env', 'list'],
      ['--json', '--debug', 'env', 'list', '--home', temp.home],
    ]) {
      const out = await runStn(argv, { env: elsewhere.env });
      expect(out.code, `stn ${argv.join(' ')}: ${out.stderr}`).toBe(0);
      expect((JSON.parse(out.stdout) as { name: string }[]).map((e) => e.name)).toEqual(['default']);
    }
    const debug = await runStn(['--debug', 'agent', 'list'], { env: temp.env });
    expect(debug.code).toBe(0);
    expect(debug.stdout).toMatch(/^hello\s/m);
    // A global flag before a command still reaches the command's own error handling.
    const missing = await runStn(['--home', temp.home, '--json', 'agent', 'show', 'nobody'], { env: elsewhere.env });
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('-h, --help and `stn help` show help for the root, a topic and a command', async () => {
    const short = await runStn(['agent', 'list', '-h'], { env: temp.env });
    expect(short.code).toBe(0);
    expect(short.stdout).toContain('List the agents of an environment.');
    expect(short.stdout).toContain('$ stn agent list');
    const helpRun = await runStn(['help', 'agent', 'run'], { env: temp.env });
    expect(helpRun.code).toBe(0);
    expect(helpRun.stdout).toContain('$ stn agent run NAME [TEXT]');
    const root = await runStn(['help'], { env: temp.env });
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/agent\s+Manage and run agents/);
    expect(root.stdout).toMatch(/completion\s+Print the shell completion script/);
    expect((await runStn(['-h'], { env: temp.env })).stdout).toBe(root.stdout);
    const topic = await runStn(['agent', '--help'], { env: temp.env });
    expect(topic.code).toBe(0);
    expect(topic.stdout).toMatch(/agent run\s+Run an agent/);
    expect((await runStn(['help', 'agent'], { env: temp.env })).stdout).toBe(topic.stdout);
  });

  it('a mistyped command or topic suggests the right one with spaces, points at `stn help` and exits 2', async () => {
    const cases: [string[], string, string | undefined][] = [
      [['agnet', 'list'], 'agnet list', 'stn agent list'],
      [['agent', 'lst'], 'agent lst', 'stn agent list'],
      [['agnet', 'lst', '--env', 'default'], 'agnet lst', 'stn agent list'],
      [['--home', temp.home, 'agnet', 'list'], 'agnet list', 'stn agent list'],
      [['agnet'], 'agnet', 'stn agent'],
      [['sycn'], 'sycn', 'stn sync'],
      [['help', 'agnet', 'list'], 'agnet list', 'stn help agent list'],
      [['agnet', 'list', '--help'], 'agnet list', 'stn help agent list'],
      [['frobnicate'], 'frobnicate', undefined],
    ];
    for (const [argv, typed, suggestion] of cases) {
      const out = await runStn(argv, { env: temp.env });
      const what = `stn ${argv.join(' ')}:\n${out.stderr}`;
      expect(out.code, what).toBe(ExitCode.USAGE);
      expect(out.stderr, what).toContain(`Error: unknown command "${typed}"`);
      if (suggestion !== undefined) expect(out.stderr, what).toContain(`→ Did you mean: ${suggestion}?`);
      else expect(out.stderr, what).not.toContain('Did you mean');
      expect(out.stderr, what).toContain('→ See: stn help');
      expect(`${out.stdout}${out.stderr}`, what).not.toMatch(/\w:\w/); // never oclif's agnet:list
    }
    const json = await runStn(['agnet', 'list', '--json'], { env: temp.env });
    expect(json.code).toBe(ExitCode.USAGE);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'usage',
        message: 'unknown command "agnet list"',
        hints: ['Did you mean: stn agent list?', 'See: stn help'],
        exitCode: ExitCode.USAGE,
      },
    });
  });
});

describe('shell completion', { timeout: 180_000 }, () => {
  let temp: TempHome;
  let other: TempHome;
  /** A folder with an `stn` on PATH, as an installed Station would have. */
  let binDir: string;
  let shellEnv: NodeJS.ProcessEnv;

  beforeAll(() => {
    temp = makeInitializedHome();
    other = makeInitializedHome();
    const envs = temp.paths.environments;
    mkdirSync(join(envs, 'prod', 'agents'), { recursive: true });
    writeFileSync(join(envs, 'prod', 'agents', 'Security Scanner.prompt'), '---\n---\nScan.\n');
    writeFileSync(join(envs, 'prod', 'agents', 'deployer.prompt'), '---\n---\nDeploy.\n');
    mkdirSync(join(other.paths.environments, 'lab'));
    binDir = mkdtempSync(join(tmpdir(), 'station-bin-'));
    writeFileSync(join(binDir, 'stn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(binDir, 'stn'), 0o755);
    shellEnv = { ...temp.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
  });
  afterAll(() => {
    temp.cleanup();
    other.cleanup();
    rmSync(binDir, { recursive: true, force: true });
  });

  it('`stn completion` prints the script for bash or zsh ($SHELL by default)', async () => {
    const bash = await runStn(['completion', 'bash'], { env: temp.env });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F _stn_complete stn');
    const zsh = await runStn(['completion'], { env: { ...temp.env, SHELL: '/usr/bin/zsh' } });
    expect(zsh.stdout).toContain('compdef _stn_complete stn');
    const fish = await runStn(['completion'], { env: { ...temp.env, SHELL: '/usr/bin/fish' } });
    expect(fish.code).toBe(ExitCode.USAGE);
    expect(fish.stderr).toContain('stn completion bash');
  });

  /** Calls the bash script's function as bash does on Tab, and returns COMPREPLY. */
  function bashComplete(words: string[], cwd?: string): string[] {
    const script = [
      'source <(stn completion bash)',
      'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))',
      '_stn_complete',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', 'stn', ...words], {
      env: shellEnv,
      encoding: 'utf8',
      ...(cwd === undefined ? {} : { cwd }),
    });
    return out.split('\n').filter((line) => line !== '');
  }

  it('bash: commands, flags, environment and agent names, and file names', () => {
    expect(bashComplete(['ag'])).toEqual(['agent']);
    expect(bashComplete(['agent', 'r'])).toEqual(['render', 'run']);
    expect(bashComplete(['agent', 'run', '--in'])).toEqual(['--input', '--input-file']);
    expect(bashComplete(['agent', 'run', ''])).toEqual(['file-explorer', 'hello']);
    expect(bashComplete(['agent', 'run', '--env', 'prod', ''])).toEqual(['deployer', 'Security\\ Scanner']);
    expect(bashComplete(['agent', 'show', '-e', 'prod', 'Security\\ S'])).toEqual(['Security\\ Scanner']);
    expect(bashComplete(['env', 'delete', ''])).toEqual(['default', 'prod']);
    expect(bashComplete(['--home', other.home, 'env', 'show', ''])).toEqual(['default', 'lab']);
    expect(bashComplete(['runs', 'list', '--status', 'c'])).toEqual(['completed', 'cancelled']);
    const files = mkdtempSync(join(tmpdir(), 'station-files-'));
    try {
      writeFileSync(join(files, 'reviewer.prompt'), '');
      mkdirSync(join(files, 'reviews'));
      expect(bashComplete(['agent', 'import', 'rev'], files).sort()).toEqual(['reviewer.prompt', 'reviews']);
      expect(bashComplete(['--home', 'rev'], files)).toEqual(['reviews']);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });

  it('zsh: the script hands value:description pairs to _describe, and paths to _files', () => {
    // Outside the line editor compadd cannot run, so _describe and _files are stand-ins that print what
    // they were given; compdef is the real one (the script loads compinit).
    const script = [
      'source <(stn completion zsh)',
      '_describe() { print -rl -- "${(@P)${@[-1]}}" }',
      '_files() { print -r -- "_files $*" }',
      'words=("$@"); CURRENT=$#',
      '_stn_complete',
      'print -r -- "compdef:${_comps[stn]}"',
    ].join('\n');
    const zsh = (words: string[]): string[] =>
      execFileSync('zsh', ['-f', '-c', script, 'stn', ...words], {
        env: { ...shellEnv, HOME: temp.home },
        encoding: 'utf8',
      })
        .split('\n')
        .filter((line) => line !== '');
    expect(zsh(['stn', 'agent', 'r'])).toEqual([
      'render:Print the messages an agent would send to the model for an input.',
      'run:Run an agent: the model calls its MCP tools until it answers; every step is recorded.',
      'compdef:_stn_complete',
    ]);
    expect(zsh(['stn', 'agent', 'run', '--env', 'prod', ''])).toEqual([
      'deployer',
      'Security Scanner',
      'compdef:_stn_complete',
    ]);
    expect(zsh(['stn', 'agent', 'import', ''])).toEqual(['_files ', 'compdef:_stn_complete']);
    expect(zsh(['stn', '--home', ''])).toEqual(['_files -/', 'compdef:_stn_complete']);
  });

  it.each([
    ['bash', 'bash --norc --noprofile'],
    ['zsh', 'zsh -f'],
  ])('a real Tab in %s (tmux) completes an agent name with a space', async (name, shell) => {
    // One tmux server per shell: a server being killed cannot take the next session with it.
    const socket = `stn-completion-${String(process.pid)}-${name}`;
    const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const screen = (): string => tmux('capture-pane', '-p', '-t', 'sh');
    const waitFor = (text: string): Promise<void> =>
      vi.waitFor(
        () => {
          if (!screen().includes(text)) throw new Error(`waiting for ${JSON.stringify(text)}:\n${screen()}`);
        },
        { timeout: 30_000, interval: 100 },
      );
    const env = [`PATH=${binDir}:/usr/bin:/bin`, `HOME=${temp.home}`, `STATION_HOME=${temp.home}`, 'TERM=xterm'];
    try {
      tmux(
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        'sh',
        '-x',
        '160',
        '-y',
        '30',
        `env -i ${env.join(' ')} ${shell}`,
      );
      tmux('send-keys', '-t', 'sh', '-l', `source <(stn completion ${name}); echo LOADED-$((40+2))`);
      tmux('send-keys', '-t', 'sh', 'Enter');
      await waitFor('LOADED-42');
      tmux('send-keys', '-t', 'sh', '-l', 'stn agent show --env prod Sec');
      tmux('send-keys', '-t', 'sh', 'Tab');
      await waitFor('stn agent show --env prod Security\\ Scanner');
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    }
  });

  it('answers without loading oclif, the database or any MCP code', async () => {
    const traceFile = join(temp.home, 'imports.txt');
    writeFileSync(traceFile, '');
    const env = { ...temp.env, NODE_OPTIONS: `--import=${TRACE}`, STATION_TRACE_IMPORTS: traceFile };
    const out = await runStn(['__complete', 'bash', '--', 'agent', 'run', '--env', 'prod', ''], { env });
    expect(out.stdout).toBe('deployer\nSecurity\\ Scanner\n');
    const loaded = readFileSync(traceFile, 'utf8');
    for (const heavy of [
      '/@oclif/',
      '/better-sqlite3-multiple-ciphers/',
      '/@modelcontextprotocol/',
      '/src/core/store/',
      '/dist/core/store/',
    ]) {
      expect(loaded).not.toContain(heavy);
    }
  });
});

describe('destructive commands ask on a terminal and need --yes in scripts', { timeout: 180_000 }, () => {
  let temp: TempHome;
  beforeAll(async () => {
    temp = makeInitializedHome();
    expect((await runStn(['env', 'create', 'staging'], { env: temp.env })).code).toBe(0);
    expect((await runStn(['key', 'create', 'ci'], { env: temp.env })).code).toBe(0);
  });
  afterAll(() => temp.cleanup());

  const template = (): string => readFileSync(join(temp.paths.environments, 'default', 'template.json'), 'utf8');
  const keyStatus = async (): Promise<string> => {
    const keys = JSON.parse((await runStn(['key', 'list', '--json'], { env: temp.env })).stdout) as {
      name: string;
      status: string;
    }[];
    return keys.find((k) => k.name === 'ci')?.status ?? 'missing';
  };
  const agentFile = (): string => join(temp.paths.environments, 'default', 'agents', 'hello.prompt');
  const stagingDir = (): string => join(temp.paths.environments, 'staging');

  const commands: {
    argv: string[];
    question: string;
    gone: () => Promise<boolean>;
  }[] = [
    {
      argv: ['agent', 'delete', 'hello'],
      question: 'Delete agent "hello"? [y/N]',
      gone: async () => !existsSync(agentFile()),
    },
    {
      argv: ['env', 'delete', 'staging'],
      question: 'Delete environment "staging"? [y/N]',
      gone: async () => !existsSync(stagingDir()),
    },
    {
      argv: ['key', 'revoke', 'ci'],
      question: 'Revoke key "ci"',
      gone: async () => (await keyStatus()) === 'revoked',
    },
    {
      argv: ['mcp', 'remove', 'filesystem'],
      question: 'Remove MCP server "filesystem"? [y/N]',
      gone: async () => !template().includes('"filesystem"'),
    },
  ];

  it.each(commands)(
    'stn $argv: refuses without --yes in a script, asks on a terminal',
    async ({ argv, question, gone }) => {
      const script = await runStn(argv, { env: temp.env });
      expect(script.code).toBe(ExitCode.USAGE);
      expect(script.stderr).toContain('without --yes');
      expect(script.stderr).toContain('--yes');
      expect(await gone()).toBe(false);

      const declined = await runStnOnTerminal(argv, { env: temp.env, input: 'n\n' });
      expect(declined.screen).toContain(question);
      expect(declined.code, declined.screen).toBe(ExitCode.USAGE);
      expect(declined.screen).toContain('not confirmed');
      expect(await gone()).toBe(false);

      const confirmed = await runStnOnTerminal(argv, { env: temp.env, input: 'y\n' });
      expect(confirmed.screen).toContain(question);
      expect(confirmed.code, confirmed.screen).toBe(0);
      expect(await gone()).toBe(true);
    },
  );

  it('--yes goes ahead without asking, also on a terminal', async () => {
    expect((await runStn(['agent', 'delete', 'file-explorer', '--yes'], { env: temp.env })).code).toBe(0);
    const onTerminal = await runStnOnTerminal(['env', 'create', 'scratch'], { env: temp.env });
    expect(onTerminal.code).toBe(0);
    const deleted = await runStnOnTerminal(['env', 'delete', 'scratch', '-y'], { env: temp.env });
    expect(deleted.code, deleted.screen).toBe(0);
    expect(deleted.screen).not.toContain('[y/N]');
  });
});
