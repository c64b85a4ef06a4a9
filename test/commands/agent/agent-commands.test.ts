import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, runStn } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

let temp: TempHome;
const dir = (env = 'default'): string => join(temp.home, 'environments', env, 'agents');
const files = (env = 'default'): string[] => readdirSync(dir(env)).sort();
const stn = (...argv: string[]) => runCommand([...argv, '--home', temp.home], { NO_COLOR: '1' });
/** The real binary in a child process (needs `npm run build`). */
const spawnStn = (...argv: string[]) =>
  runStn([...argv, '--home', temp.home], { env: { ...process.env, NO_COLOR: '1' } });

beforeEach(() => {
  temp = makeInitializedHome();
});
afterEach(() => temp.cleanup());

describe('stn agent list / show', () => {
  it('list --json has a stable shape; the table is plain when piped', async () => {
    const out = await stn('agent:list', '--json');
    expect(out.code).toBe(0);
    const list = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(list.map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    expect(Object.keys(list[0] ?? {})).toEqual([
      'id',
      'name',
      'fileName',
      'path',
      'description',
      'model',
      'maxSteps',
      'tags',
      'tools',
      'updatedAt',
      'lastRun',
    ]);
    expect(list[0]?.lastRun).toBeNull();
    const table = await stn('agent:list');
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+ID\s+MODEL\s+STEPS\s+TOOLS\s+DESCRIPTION$/);
    expect(table.stdout).toMatch(/^hello\s+\d+\s+\(default\)\s+3\s+0\s+A friendly agent/m);
    expect(table.stdout).not.toContain('\u001b[');
  });

  it('list reports files that do not parse on stderr and still lists the rest', async () => {
    writeFileSync(join(dir(), 'bad.prompt'), '---\nmax_steps: nope\n---\nx');
    const out = await stn('agent:list', '--json');
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as unknown[]).length).toBe(2);
    expect(out.stderr).toContain(`${join(dir(), 'bad.prompt')}:2:12 (key "max_steps")`);
    expect(out.stderr).toContain('stn agent validate --env default');
  });

  it('show prints the fields and template; --json is the agent definition; unknown names exit 3 with close names', async () => {
    const text = await stn('agent:show', 'hello');
    expect(text.stdout).toContain('max steps    3');
    expect(text.stdout).toContain('input        userInput: string (required)');
    expect(text.stdout).toContain('{{role "system"}}');
    const json = JSON.parse((await stn('agent:show', 'file-explorer', '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'file-explorer',
      maxSteps: 8,
      inputSchema: { properties: { path: { type: ['string', 'null'] } } },
    });
    const missing = await stn('agent:show', 'helo', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      error: { code: 'not_found', hints: ['Did you mean: "hello"?'] },
    });
  });
});

describe('stn agent create / delete', () => {
  it('creates from flags, and the file reads back', async () => {
    const out = await stn(
      'agent:create',
      'Release Notes',
      '--prompt',
      'You write release notes.',
      '--model',
      'gpt-4o',
      '--max-steps',
      '5',
      '--tool',
      '__read_text_file,__list_directory',
      '--input',
      'repo:string:the repository',
      '--input',
      'since?:string',
      '--temperature',
      '0.4',
      '--json',
    );
    expect(out.code).toBe(0);
    // Never synced: the tools cannot be checked yet, and the command says so.
    expect(out.stderr).toContain('Warning: tools not checked: no tools recorded for environment "default" yet');
    const agent = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(agent).toMatchObject({
      name: 'Release Notes',
      model: 'gpt-4o',
      maxSteps: 5,
      tools: ['__read_text_file', '__list_directory'],
      config: { temperature: 0.4 },
      inputSchema: { required: ['userInput', 'repo'] },
    });
    expect(files()).toContain('Release Notes.prompt');
    const shown = JSON.parse((await stn('agent:show', 'Release Notes', '--json')).stdout) as unknown;
    // show adds the file's typo warnings (none here), and the model and answer format a run uses.
    expect(shown).toEqual({
      ...agent,
      warnings: [],
      run: {
        model: { model: 'gpt-4o', reason: 'file', fileModel: 'gpt-4o', explanation: 'gpt-4o (the agent file)' },
        output: { format: 'text', reason: 'none', explanation: 'text' },
      },
    });
  });

  it('a bad name exits 5, a duplicate exits 4, no name without a terminal exits 2; nothing is written', async () => {
    const bad = await stn('agent:create', '../x', '--prompt', 'p');
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('invalid agent name "../x"');
    const dup = await stn('agent:create', 'hello', '--prompt', 'p');
    expect(dup.code).toBe(4);
    expect(dup.stderr).toContain('agent "hello" already exists');
    const noName = await stn('agent:create', '--prompt', 'p');
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('missing the agent name');
    const badField = await stn('agent:create', 'x', '--input', 'n:strng');
    expect(badField.code).toBe(5);
    expect(badField.stderr).toContain('type "strng" is not one of string, number, integer, boolean, any');
    expect(files()).toEqual(['file-explorer.prompt', 'hello.prompt']);
  });

  it('delete needs --yes; then the file and the entry are gone', async () => {
    const refused = await stn('agent:delete', 'hello');
    expect(refused.code).toBe(2);
    expect(files()).toContain('hello.prompt');
    const deleted = await stn('agent:delete', 'hello', '--yes', '--json');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: 'hello', file: join(dir(), 'hello.prompt') });
    expect(files()).toEqual(['file-explorer.prompt']);
  });
});

describe('stn agent render', () => {
  it('prints the messages; words after the name are the user input; --var is converted by the schema', async () => {
    const out = await stn('agent:render', 'hello', 'What', 'is', 'MCP?');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      '--- system ---\nYou are a concise, friendly assistant. Answer in at most three sentences.\n--- user ---\nWhat is MCP?\n',
    );
    const json = await stn('agent:render', 'file-explorer', 'find tests', '--var', 'path=src', '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      agent: 'file-explorer',
      input: { path: 'src', userInput: 'find tests' },
      model: {
        model: 'gpt-4o-mini',
        reason: 'config',
        fileModel: null,
        explanation: 'gpt-4o-mini (config.yaml model.name)',
      },
      output: { format: 'text', reason: 'none', explanation: 'text' },
      messages: [
        {
          role: 'system',
          content:
            'You explore a project folder with filesystem tools and answer questions about it.\nStart with list_allowed_directories, look before you conclude, and cite the files you read.\nStart from src.',
        },
        { role: 'user', content: 'find tests' },
      ],
    });
  });

  it('input that fails the schema exits 5 naming the field', async () => {
    writeFileSync(
      join(dir(), 'count.prompt'),
      '---\ninput:\n  schema:\n    userInput: string\n    n: integer\n---\n{{n}}',
    );
    const out = await stn('agent:render', 'count', 'go', '--var', 'n=many');
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('input for agent "count" is invalid: n: expected integer, got string "many"');
    const ok = await stn('agent:render', 'count', '--input', '{"userInput": "go", "n": 3}', '--json');
    expect(JSON.parse(ok.stdout)).toMatchObject({
      messages: [
        { role: 'system', content: '3' },
        { role: 'user', content: 'go' },
      ],
    });
    const badJson = await stn('agent:render', 'count', '--input', '{nope');
    expect(badJson.code).toBe(5);
    expect(badJson.stderr).toContain('--input is not valid JSON');
  });
});

describe('input flags: the same for agent run and agent render', () => {
  it('--var never swallows the text after it; --input @FILE and --input-file read a file', async () => {
    const json = await stn('agent:render', 'file-explorer', '--var', 'path=src', 'find tests', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ input: { path: 'src', userInput: 'find tests' } });
    const file = join(temp.home, 'in.json');
    writeFileSync(file, '{"userInput": "from a file", "path": "lib"}');
    for (const flags of [
      ['--input', `@${file}`],
      ['--input-file', file],
    ]) {
      const out = await stn('agent:render', 'file-explorer', ...flags, '--var', 'path=src', '--json');
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ input: { path: 'src', userInput: 'from a file' } });
    }
  });

  it('the text and a userInput in --input (or --var) is an error naming both, in run and render', async () => {
    for (const command of ['agent run', 'agent render']) {
      const stn = (...argv: string[]) => spawnStn(...command.split(' '), ...argv);
      const out = await stn('hello', '--input', '{"userInput": "a"}', 'b');
      expect(out.code).toBe(5);
      expect(out.stderr).toContain('the TEXT argument and the userInput of --input both give the user input');
      // The text after a repeated --var is the positional argument, not another --var value.
      const vars = await stn('hello', '--var', 'userInput=a', 'b');
      expect(vars.code).toBe(5);
      expect(vars.stderr).toContain('the TEXT argument and the userInput of --var userInput=… both give');
      const bad = await stn('hello', '--var', 'novalue');
      expect(bad.code).toBe(5);
      expect(bad.stderr).toContain('--var needs NAME=VALUE, got "novalue"');
    }
  }, 90_000);
});

describe('stn agent validate', () => {
  it('exits 0 when every agent is valid', async () => {
    const out = await stn('agent:validate');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('2 agent file(s), 0 error(s), 0 warning(s).');
    expect(out.stdout).toContain('Tool references not checked');
  });

  it('exits 5 with the list of problems (text and --json)', async () => {
    writeFileSync(join(dir(), 'bad.prompt'), '---\nmax_steps: 0\n---\nx');
    writeFileSync(join(dir(), 'tpl.prompt'), '{{#if}}');
    const out = await stn('agent:validate');
    expect(out.code).toBe(5);
    expect(out.stdout).toMatch(/^FAIL .*bad\.prompt$/m);
    expect(out.stdout).toContain(
      `error: ${join(dir(), 'bad.prompt')}:2:12 (key "max_steps"): expected a whole number of at least 1, got number 0`,
    );
    expect(out.stdout).toMatch(/^ok {3}hello/m);
    const one = await stn('agent:validate', 'bad', '--json');
    expect(one.code).toBe(5);
    expect((JSON.parse(one.stdout) as { agents: { file: string }[] }).agents.map((a) => a.file)).toEqual([
      join(dir(), 'bad.prompt'),
    ]);
    const json = await stn('agent:validate', '--json');
    expect(json.code).toBe(5);
    const report = JSON.parse(json.stdout) as { errors: number; agents: { ok: boolean }[] };
    expect(report.errors).toBe(2);
    expect(report.agents.filter((a) => !a.ok)).toHaveLength(2);
  });
});

describe('stn agent export / import', () => {
  it('export prints the file, writes it to a path, or copies it to another environment', async () => {
    const original = readFileSync(join(dir(), 'hello.prompt'), 'utf8');
    expect((await stn('agent:export', 'hello')).stdout).toBe(original);
    const outFile = join(temp.home, 'out.prompt');
    expect((await stn('agent:export', 'hello', '--output', outFile)).code).toBe(0);
    expect(readFileSync(outFile, 'utf8')).toBe(original);
    expect((await stn('agent:export', 'hello', '--output', outFile)).code).toBe(4);
    expect((await stn('agent:export', 'hello', '--output', outFile, '--force')).code).toBe(0);
    await stn('env:create', 'staging');
    const copied = await stn('agent:export', 'hello', '--to-env', 'staging', '--as', 'hello2', '--json');
    expect(JSON.parse(copied.stdout)).toEqual({
      name: 'hello2',
      fileName: 'hello2.prompt',
      writtenTo: join(dir('staging'), 'hello2.prompt'),
    });
    expect(files('staging')).toEqual(['hello2.prompt']);
  });

  it('import validates first: an invalid file exits 5 and writes nothing; duplicates need --force', async () => {
    const src = join(temp.home, 'scanner.prompt');
    writeFileSync(
      src,
      '---\nmetadata:\n  name: Scanner\ntools: [__scan]\n---\n{{role "system"}}Scan.\n{{role "user"}}{{userInput}}\n',
    );
    const ok = await stn('agent:import', src);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Imported agent Scanner into default');
    expect(readFileSync(join(dir(), 'Scanner.prompt'), 'utf8')).toBe(readFileSync(src, 'utf8'));
    expect((await stn('agent:import', src)).code).toBe(4);
    expect((await stn('agent:import', src, '--force')).stdout).toContain('Replaced agent Scanner');
    const renamed = await stn('agent:import', src, '--name', 'Scanner Two', '--json');
    expect(JSON.parse(renamed.stdout)).toMatchObject({
      agent: { name: 'Scanner Two', fileName: 'Scanner Two.prompt' },
      replaced: false,
    });

    const broken = join(temp.home, 'broken.prompt');
    writeFileSync(broken, '---\nmetadata:\n  name: Broken\n---\n{{role "system"}}\n{{#each items}}never closed\n');
    const out = await stn('agent:import', broken);
    expect(out.code).toBe(5);
    expect(out.stderr).toContain(`${broken}:6 (key "template")`);
    // A folder is a mistake with its own message, not a crash (exit 1 is for bugs).
    const folder = await stn('agent:import', temp.home);
    expect(folder.code).toBe(5);
    expect(folder.stderr).toContain(`${temp.home} is a folder: expected a .prompt file`);
    expect(files()).toEqual(['Scanner Two.prompt', 'Scanner.prompt', 'file-explorer.prompt', 'hello.prompt']);
  });
});

describe('stn agent edit', () => {
  function editor(name: string, sedExpression: string): string {
    const script = join(temp.home, name);
    writeFileSync(script, `#!/bin/sh\nsed -i '${sedExpression}' "$1"\n`);
    chmodSync(script, 0o755);
    return script;
  }

  it('saves a valid edit made in $EDITOR', async () => {
    const out = await runCommand(['agent:edit', 'hello', '--home', temp.home], {
      EDITOR: editor('ok.sh', 's/max_steps: 3/max_steps: 4/'),
      VISUAL: '',
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Saved hello');
    expect(readFileSync(join(dir(), 'hello.prompt'), 'utf8')).toContain('max_steps: 4');
  });

  it('an invalid edit fails without a terminal and leaves the original untouched', async () => {
    const before = readFileSync(join(dir(), 'hello.prompt'), 'utf8');
    const out = await runCommand(['agent:edit', 'hello', '--home', temp.home], {
      EDITOR: editor('bad.sh', 's/max_steps: 3/max_steps: ten/'),
      VISUAL: '',
    });
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('(key "max_steps"): expected a whole number of at least 1, got string "ten"');
    expect(readFileSync(join(dir(), 'hello.prompt'), 'utf8')).toBe(before);
    // The edited text is kept (0600) and named; the error's position points into it, not at the original.
    const kept = /Nothing was saved; your edited text is kept in (\S+)/.exec(out.stderr)?.[1];
    expect(kept).toMatch(new RegExp(`^${join(temp.home, 'tmp')}/edit-.*hello\\.prompt$`));
    expect(readFileSync(kept!, 'utf8')).toContain('max_steps: ten');
    expect(statSync(kept!).mode & 0o777).toBe(0o600);
    expect(out.stderr).toMatch(new RegExp(`${kept!.replace(/[.]/g, '\\.')}:\\d+:\\d+ \\(key "max_steps"\\)`));
    expect(out.stderr).not.toContain(`${join(dir(), 'hello.prompt')}:`);
    expect(files()).toEqual(['file-explorer.prompt', 'hello.prompt']);
  });

  it('an editor that fails saves nothing; no change says so; --rename renames without an editor', async () => {
    const failing = await runCommand(['agent:edit', 'hello', '--home', temp.home], { EDITOR: 'false', VISUAL: '' });
    expect(failing.code).toBe(2);
    expect(failing.stderr).toContain('nothing was saved');
    const same = await runCommand(['agent:edit', 'hello', '--home', temp.home], { EDITOR: 'true', VISUAL: '' });
    expect(same.stdout).toContain('No changes.');
    const renamed = await stn('agent:edit', 'hello', '--rename', 'greeter');
    expect(renamed.code).toBe(0);
    expect(files()).toEqual(['file-explorer.prompt', 'greeter.prompt']);
    expect(existsSync(join(dir(), 'hello.prompt'))).toBe(false);
  });
});
