// End to end through the built binary (bin/run.js): needs `npm run build` first.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BIN, ROOT, runStn } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { FILESYSTEM_SERVER } from '../../core/mcp/helpers.js';

describe('stn agent (bin/run.js)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  // What agent list and the other commands load: test/e2e/command-imports.test.ts.
  it('agent list --json lists the agents of the files', async () => {
    temp = makeInitializedHome();
    const out = await runStn(['agent', 'list', '--json'], { env: temp.env });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { name: string }[]).map((a) => a.name)).toEqual(['file-explorer', 'hello']);
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

describe('stn agent create on a terminal offers the recorded tools (bin/run.js)', { timeout: 60_000 }, () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('before a first sync says how to get them; after it lists them to pick by number or name', async () => {
    temp = makeInitializedHome();
    writeFileSync(
      join(temp.home, 'environments', 'default', 'template.json'),
      JSON.stringify({
        mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, temp.home] } },
      }),
    );
    const early = onTerminal(['agent', 'create'], temp.env);
    await early.waitFor('Name: ');
    early.type('Early\r\r\r\r');
    await early.waitFor('Tools, comma-separated');
    expect(early.output()).toContain(
      'No tools are recorded for environment "default" yet: run stn sync default to start its MCP servers and record their tools, and they are offered here.',
    );
    early.type('\r\r\r');
    expect(await early.exited).toBe(0);

    expect((await runStn(['sync'], { env: temp.env })).code).toBe(0);
    const asked = onTerminal(['agent', 'create'], temp.env);
    await asked.waitFor('Name: ');
    asked.type('Picker\r\r\r\r');
    await asked.waitFor('Numbers or names, comma-separated (1-14; empty for none): ');
    const listed = asked.output();
    expect(listed).toContain('Tools the agent may use (recorded by the last sync of "default"):');
    expect(listed).toMatch(/ 6\) filesystem__list_directory +Get a detailed listing/);
    expect(listed).toMatch(/12\) filesystem__read_text_file +Read the complete contents/);
    // Something not listed is refused and asked again; numbers and names then pick.
    asked.type('6, filesystem__nope\r');
    await asked.waitFor('not in the list: filesystem__nope (numbers 1-14 or names as listed, please)');
    asked.type('6 filesystem__read_text_file\r\r\r');
    expect(await asked.exited).toBe(0);
    const file = readFileSync(join(temp.home, 'environments', 'default', 'agents', 'Picker.prompt'), 'utf8');
    expect(file).toContain('tools:\n  - filesystem__list_directory\n  - filesystem__read_text_file\n');
    expect(asked.output()).not.toContain('tools not checked');
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
