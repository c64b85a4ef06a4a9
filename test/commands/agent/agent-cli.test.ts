// End to end through the built binary (bin/run.js): needs `npm run build` first.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BIN, ROOT, runStn } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

const TRACE = fileURLToPath(new URL('../../helpers/trace-imports.mjs', import.meta.url));

describe('stn agent (bin/run.js)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('agent list --json reads the files without loading the renderer or ajv', async () => {
    temp = makeInitializedHome();
    const traceFile = join(temp.home, 'imports.txt');
    writeFileSync(traceFile, '');
    const out = await runStn(['agent', 'list', '--json'], {
      env: { ...temp.env, NODE_OPTIONS: `--import=${TRACE}`, STATION_TRACE_IMPORTS: traceFile },
    });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { name: string }[]).map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    const loaded = readFileSync(traceFile, 'utf8');
    expect(loaded).toContain('/dist/core/agents/agent-service.js');
    for (const heavy of ['/node_modules/dotprompt/', '/node_modules/handlebars/', '/node_modules/ajv/'])
      expect(loaded).not.toContain(heavy);
  });

  it('create and render from a shell', async () => {
    temp = makeInitializedHome();
    const created = await runStn(['agent', 'create', 'shell agent', '--prompt', 'Be brief.', '--max-steps', '2'], {
      env: temp.env,
    });
    expect(created.code).toBe(0);
    const rendered = await runStn(['agent', 'render', 'shell agent', 'hello', 'there', '--json'], { env: temp.env });
    expect(JSON.parse(rendered.stdout)).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
  });

  it('validate exits 5 on a broken file; delete, then show exits 3', async () => {
    temp = makeInitializedHome();
    writeFileSync(join(temp.home, 'environments', 'default', 'agents', 'broken.prompt'), '---\ntools: {}\n---\nx');
    const validate = await runStn(['agent', 'validate'], { env: temp.env });
    expect(validate.code).toBe(5);
    expect(validate.stdout).toContain('(key "tools"): expected a list of tool names, got a mapping');
    const deleted = await runStn(['agent', 'delete', 'hello', '--yes'], { env: temp.env });
    expect(deleted.code).toBe(0);
    const missing = await runStn(['agent', 'show', 'hello'], { env: temp.env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('agent "hello" does not exist in environment "default"');
  });

  it('create without a name and without a terminal is a usage error, not a prompt', async () => {
    temp = makeInitializedHome();
    const out = await runStn(['agent', 'create'], { env: temp.env, input: 'typed\n' });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('missing the agent name');
  });

  it('create with no arguments on a terminal asks for each field; Ctrl-C there stops it (exit 130)', async () => {
    temp = makeInitializedHome();
    const asked = onTerminal(['agent', 'create'], temp.env);
    await asked.waitFor('Name: ');
    asked.type('Greeter\r');
    await asked.waitFor('Description (optional): ');
    asked.type('Says hello\r\r5\r\r\rYou greet people.\r\r');
    expect(await asked.exited).toBe(0);
    expect(asked.output()).toContain('Created agent Greeter');
    const file = readFileSync(join(temp.home, 'environments', 'default', 'agents', 'Greeter.prompt'), 'utf8');
    expect(file).toContain('description: Says hello');
    expect(file).toContain('max_steps: 5');
    expect(file).toContain('You greet people.');

    const stopped = onTerminal(['agent', 'create'], temp.env);
    await stopped.waitFor('Name: ');
    stopped.type('Half\u0003');
    expect(await stopped.exited).toBe(130);
    expect(stopped.output()).toContain('Error: interrupted (Ctrl-C)');
  });
});

/** Runs stn under a pseudo-terminal (util-linux `script`), so that it asks its questions. */
function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn('script', ['-qfec', [process.execPath, BIN, ...args].join(' '), '/dev/null'], {
    cwd: ROOT,
    env: { ...env, TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  return {
    exited: new Promise<number | null>((resolve) => child.on('close', resolve)),
    output: () => output,
    waitFor: (text: string) => vi.waitFor(() => expect(output).toContain(text), { timeout: 15_000, interval: 50 }),
    type: (keys: string) => child.stdin.write(keys),
  };
}
