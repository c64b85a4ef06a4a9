import { existsSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  FileFormatError,
  NotFoundError,
  ValidationError,
  openEngine,
  parseAgentFile,
  type Engine,
} from '../../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

let temp: TempHome;
let engine: Engine;
const dir = (env = 'default'): string => join(temp.home, 'environments', env, 'agents');
const files = (env = 'default'): string[] => readdirSync(dir(env)).sort();
const row = (name: string) =>
  engine.db.prepare('SELECT * FROM agents WHERE name = ?').get(name) as
    { id: number; file_name: string; updated_at: number; file_mtime_ms: number } | undefined;

beforeEach(() => {
  temp = makeInitializedHome();
  engine = openEngine({ home: temp.home });
});
afterEach(async () => {
  await engine.close();
  temp.cleanup();
});

const AGENT = (name: string, extra = '') =>
  `---\nmetadata:\n  name: ${name}\n  description: about ${name}\nmodel: m1\nmax_steps: 4\ntools: [__read_text_file]\n${extra}---\n{{role "system"}}\nYou are ${name}.\n\n{{role "user"}}\n{{userInput}}\n`;

describe('AgentService: the index follows the files', () => {
  it('lists the example agents with a stable summary shape', () => {
    const list = engine.agents.list('default');
    expect(list.map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    expect(list[1]).toEqual({
      id: expect.any(Number),
      name: 'hello',
      fileName: 'hello.prompt',
      path: join(dir(), 'hello.prompt'),
      description: 'A friendly agent that answers briefly. Uses no tools.',
      model: null,
      maxSteps: 3,
      tags: ['example'],
      tools: [],
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(list[0]?.tools).toEqual([
      '__list_allowed_directories',
      '__list_directory',
      '__directory_tree',
      '__read_text_file',
      '__search_files',
      '__get_file_info',
    ]);
  });

  it('picks up files added, edited, renamed and removed by hand', () => {
    engine.agents.index('default');
    writeFileSync(join(dir(), 'scanner.prompt'), AGENT('Scanner'));
    expect(engine.agents.index('default')).toEqual({ added: ['Scanner'], updated: [], removed: [], errors: [] });
    const id = row('Scanner')?.id;

    writeFileSync(join(dir(), 'scanner.prompt'), AGENT('Scanner').replace('about Scanner', 'finds things'));
    expect(engine.agents.index('default')).toEqual({ added: [], updated: ['Scanner'], removed: [], errors: [] });
    expect(engine.agents.list('default').find((a) => a.name === 'Scanner')?.description).toBe('finds things');

    renameSync(join(dir(), 'scanner.prompt'), join(dir(), 'Scanner.prompt'));
    expect(engine.agents.index('default')).toEqual({ added: [], updated: ['Scanner'], removed: [], errors: [] });
    expect(row('Scanner')).toMatchObject({ id, file_name: 'Scanner.prompt' });

    rmSync(join(dir(), 'Scanner.prompt'));
    expect(engine.agents.index('default')).toEqual({ added: [], updated: [], removed: ['Scanner'], errors: [] });
    expect(row('Scanner')).toBeUndefined();
  });

  it('skips unchanged files; a touched file with the same content is only re-stamped', () => {
    engine.agents.index('default');
    const before = row('hello');
    expect(engine.agents.index('default')).toEqual({ added: [], updated: [], removed: [], errors: [] });
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir(), 'hello.prompt'), later, later);
    expect(engine.agents.index('default')).toEqual({ added: [], updated: [], removed: [], errors: [] });
    const after = row('hello');
    expect(after?.updated_at).toBe(before?.updated_at);
    expect(after?.file_mtime_ms).not.toBe(before?.file_mtime_ms);
  });

  it('a file that stops parsing keeps its agent (get names the line); a new broken file is reported', () => {
    engine.agents.index('default');
    const helloPath = join(dir(), 'hello.prompt');
    writeFileSync(helloPath, readFileSync(helloPath, 'utf8').replace('max_steps: 3', 'max_steps: "ten"'));
    writeFileSync(join(dir(), 'broken.prompt'), '---\ntools: [a\n---\nx');
    const result = engine.agents.index('default');
    expect(result.errors.map((e) => e.file).sort()).toEqual(['broken.prompt', 'hello.prompt']);
    expect(result.errors.find((e) => e.file === 'hello.prompt')?.message).toBe(
      `${helloPath}:6:12 (key "max_steps"): expected a whole number of at least 1, got string "ten"`,
    );
    expect(engine.agents.list('default').map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    expect(() => engine.agents.get('default', 'hello')).toThrow(FileFormatError);
    expect(() => engine.agents.get('default', 'broken')).toThrow(FileFormatError);
    expect(() => engine.agents.get('default', 'broken')).toThrow(`${join(dir(), 'broken.prompt')}:2:`);
  });

  it('two files with one name: the indexed one keeps it, the other is reported', () => {
    engine.agents.index('default');
    writeFileSync(join(dir(), 'copy.prompt'), AGENT('hello'));
    const result = engine.agents.index('default');
    expect(result.errors).toEqual([
      { file: 'copy.prompt', message: 'the agent name "hello" is already used by hello.prompt; rename one of them' },
    ]);
    expect(engine.agents.get('default', 'hello').fileName).toBe('hello.prompt');
  });

  it('two files may swap names in one pass', () => {
    writeFileSync(join(dir(), 'a.prompt'), AGENT('A'));
    writeFileSync(join(dir(), 'b.prompt'), AGENT('B'));
    engine.agents.index('default');
    const [a, b] = [row('A')?.id, row('B')?.id];
    writeFileSync(join(dir(), 'a.prompt'), AGENT('B'));
    writeFileSync(join(dir(), 'b.prompt'), AGENT('A'));
    expect(engine.agents.index('default').errors).toEqual([]);
    expect(row('B')).toMatchObject({ id: a, file_name: 'a.prompt' });
    expect(row('A')).toMatchObject({ id: b, file_name: 'b.prompt' });
  });

  it('an unknown name is NotFound with close names; an unknown environment too', () => {
    const error = (() => {
      try {
        engine.agents.get('default', 'helo');
      } catch (e) {
        return e as NotFoundError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error?.message).toBe('agent "helo" does not exist in environment "default"');
    expect(error?.hints).toEqual(['Did you mean: "hello"?']);
    expect(() => engine.agents.list('nope')).toThrow(NotFoundError);
    expect(engine.agents.get('default', 'hello.prompt').name).toBe('hello');
  });
});

describe('AgentService: writes', () => {
  it('create writes a canonical file that reads back equal, and indexes it with its tools', async () => {
    const created = await engine.agents.create('default', {
      name: 'Code Reviewer',
      description: 'Reviews code',
      model: 'gpt-4o',
      maxSteps: 7,
      tools: ['__read_text_file', 'filesystem__search_files'],
      tags: ['dev'],
      config: { temperature: 0.2, maxTokens: 500 },
      prompt: 'You review code for bugs.',
      inputFields: { 'repo?': 'string, the repository' },
    });
    const path = join(dir(), 'Code Reviewer.prompt');
    expect(created.path).toBe(path);
    expect(parseAgentFile(path, readFileSync(path, 'utf8'))).toEqual(created);
    expect(engine.agents.get('default', 'Code Reviewer')).toEqual(created);
    expect(readFileSync(path, 'utf8')).toBe(`---
metadata:
  name: Code Reviewer
  description: Reviews code
  tags:
    - dev
model: gpt-4o
max_steps: 7
config:
  temperature: 0.2
  max_tokens: 500
tools:
  - __read_text_file
  - filesystem__search_files
input:
  schema:
    userInput: string
    repo?: string, the repository
---
{{role "system"}}
You review code for bugs.

{{role "user"}}
{{userInput}}
`);
    const tools = engine.db
      .prepare('SELECT tool_name FROM agent_tools t JOIN agents a ON a.id = t.agent_id WHERE a.name = ?')
      .all('Code Reviewer');
    expect(tools).toEqual([{ tool_name: '__read_text_file' }, { tool_name: 'filesystem__search_files' }]);
    expect(readdirSync(dir()).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('names that would escape the agents folder are refused and nothing is written', async () => {
    for (const name of ['../evil', 'a/b', 'a\\b', '..', '.hidden', 'nul\u0000byte', ' padded', '']) {
      await expect(engine.agents.create('default', { name, prompt: 'x' })).rejects.toThrow(ValidationError);
    }
    expect(files()).toEqual(['file-explorer.prompt', 'hello.prompt']);
    expect(existsSync(join(temp.home, 'environments', 'evil.prompt'))).toBe(false);
  });

  it('a duplicate name is a ConflictError and the existing file is untouched', async () => {
    const before = readFileSync(join(dir(), 'hello.prompt'), 'utf8');
    await expect(engine.agents.create('default', { name: 'hello', prompt: 'other' })).rejects.toThrow(ConflictError);
    expect(readFileSync(join(dir(), 'hello.prompt'), 'utf8')).toBe(before);
    // A file that names itself "X" in another file name also holds the name.
    writeFileSync(join(dir(), 'zzz.prompt'), AGENT('Taken'));
    await expect(engine.agents.create('default', { name: 'Taken', prompt: 'x' })).rejects.toThrow(/already exists/);
    expect(existsSync(join(dir(), 'Taken.prompt'))).toBe(false);
  });

  it('bad fields are ValidationErrors naming the field; a broken template is refused', async () => {
    await expect(engine.agents.create('default', { name: 'x', maxSteps: 0 })).rejects.toThrow(
      /maxSteps: expected a whole number/,
    );
    await expect(engine.agents.create('default', { name: 'x', inputFields: { n: 'strng' } })).rejects.toMatchObject({
      issues: [{ field: 'input.schema.n', message: expect.stringContaining('unknown type "strng"') as unknown }],
    });
    await expect(engine.agents.create('default', { name: 'x', template: '{{#if a}}never closed' })).rejects.toThrow(
      /template/,
    );
    expect(files()).toEqual(['file-explorer.prompt', 'hello.prompt']);
  });

  it('update rewrites the file keeping unknown keys, and reads back equal', async () => {
    writeFileSync(
      join(dir(), 'sec.prompt'),
      AGENT('Sec', 'station:\n  execution_metadata:\n    priority: high\nschedule:\n  cron: "0 1 * * *"\n'),
    );
    const updated = await engine.agents.update('default', 'Sec', { maxSteps: 9, model: null, tools: ['__a', '__b'] });
    expect(updated).toMatchObject({ maxSteps: 9, tools: ['__a', '__b'] });
    expect(updated.model).toBeUndefined();
    const text = readFileSync(join(dir(), 'sec.prompt'), 'utf8');
    expect(text).toContain('priority: high');
    expect(text).toContain('cron: 0 1 * * *');
    expect(engine.agents.get('default', 'Sec')).toEqual(updated);
    expect(engine.agents.list('default').find((a) => a.name === 'Sec')).toMatchObject({
      maxSteps: 9,
      model: null,
      tools: ['__a', '__b'],
    });
  });

  it('rename keeps the row (and so the runs linked to it); delete keeps the run history', async () => {
    await engine.agents.create('default', { name: 'first', prompt: 'x' });
    const id = row('first')?.id ?? null;
    const envId = (engine.db.prepare("SELECT id FROM environments WHERE name = 'default'").get() as { id: number }).id;
    engine.db
      .prepare(
        "INSERT INTO agent_runs (agent_id, agent_name, environment_id, environment_name, status, created_at) VALUES (?, 'first', ?, 'default', 'completed', 1)",
      )
      .run(id, envId);

    const renamed = await engine.agents.rename('default', 'first', 'second');
    expect(renamed.fileName).toBe('second.prompt');
    expect(files()).toContain('second.prompt');
    expect(files()).not.toContain('first.prompt');
    expect(row('second')?.id).toBe(id);
    expect(engine.db.prepare('SELECT agent_id FROM agent_runs').get()).toEqual({ agent_id: id });
    await expect(engine.agents.rename('default', 'second', 'hello')).rejects.toThrow(ConflictError);

    engine.agents.delete('default', 'second');
    expect(files()).toEqual(['file-explorer.prompt', 'hello.prompt']);
    expect(row('second')).toBeUndefined();
    expect(engine.db.prepare('SELECT agent_id, agent_name, status FROM agent_runs').all()).toEqual([
      { agent_id: null, agent_name: 'first', status: 'completed' },
    ]);
    expect(() => engine.agents.delete('default', 'second')).toThrow(NotFoundError);
  });

  it('copy puts an agent into another environment, unchanged or renamed', async () => {
    engine.environments.create('staging');
    const copy = await engine.agents.copy('default', 'hello', 'staging');
    expect(readFileSync(join(dir('staging'), 'hello.prompt'), 'utf8')).toBe(
      readFileSync(join(dir(), 'hello.prompt'), 'utf8'),
    );
    expect(copy.path).toBe(join(dir('staging'), 'hello.prompt'));
    await expect(engine.agents.copy('default', 'hello', 'staging')).rejects.toThrow(ConflictError);
    const renamed = await engine.agents.copy('default', 'hello', 'staging', { name: 'hi again' });
    expect(engine.agents.list('staging').map((a) => a.name)).toEqual(['hello', 'hi again']);
    expect(renamed.template).toBe(copy.template);
  });

  it('replaceText validates first, refuses stale edits, and renames when the name changes', async () => {
    const source = engine.agents.source('default', 'hello');
    const broken = source.text.replace('max_steps: 3', 'max_steps: -1');
    await expect(engine.agents.replaceText('default', 'hello', broken, { expectedHash: source.hash })).rejects.toThrow(
      FileFormatError,
    );
    expect(readFileSync(join(dir(), 'hello.prompt'), 'utf8')).toBe(source.text);

    writeFileSync(join(dir(), 'hello.prompt'), source.text + '\nchanged meanwhile\n');
    await expect(
      engine.agents.replaceText('default', 'hello', source.text.replace('3', '4'), { expectedHash: source.hash }),
    ).rejects.toThrow(ConflictError);
    writeFileSync(join(dir(), 'hello.prompt'), source.text);

    const saved = await engine.agents.replaceText(
      'default',
      'hello',
      source.text.replace('name: hello', 'name: greeter'),
    );
    expect(saved).toMatchObject({ name: 'greeter', fileName: 'greeter.prompt' });
    expect(files()).toEqual(['file-explorer.prompt', 'greeter.prompt']);
  });

  it('replaceText can fix a file that does not parse', async () => {
    writeFileSync(join(dir(), 'oops.prompt'), '---\nmax_steps: [\n---\nx');
    const fixed = await engine.agents.replaceText('default', 'oops', '---\nmax_steps: 2\n---\nx');
    expect(fixed).toMatchObject({ name: 'oops', maxSteps: 2 });
    expect(engine.agents.index('default').errors).toEqual([]);
  });

  it('importFile validates, keeps the text, refuses a duplicate unless forced; exportTo writes the file as is', async () => {
    const outside = join(temp.home, 'in.prompt');
    writeFileSync(outside, AGENT('Imported', 'custom_key: kept\n'));
    const result = await engine.agents.importFile('default', outside);
    expect(result).toMatchObject({ replaced: false, warnings: [] });
    expect(readFileSync(join(dir(), 'Imported.prompt'), 'utf8')).toBe(readFileSync(outside, 'utf8'));
    await expect(engine.agents.importFile('default', outside)).rejects.toThrow(ConflictError);
    // A folder is an input error (exit 5) naming it, not an unexpected one.
    await expect(engine.agents.importFile('default', temp.home)).rejects.toMatchObject({
      exitCode: 5,
      message: `${temp.home} is a folder: expected a .prompt file`,
    });
    writeFileSync(outside, AGENT('Imported').replace('max_steps: 4', 'max_steps: 5'));
    expect((await engine.agents.importFile('default', outside, { force: true })).replaced).toBe(true);
    expect(engine.agents.get('default', 'Imported').maxSteps).toBe(5);

    writeFileSync(outside, '---\nmetadata:\n  name: ../../escape\n---\nx');
    await expect(engine.agents.importFile('default', outside)).rejects.toThrow(ValidationError);
    writeFileSync(outside, '---\nmax_steps: x\n---\nx');
    await expect(engine.agents.importFile('default', outside)).rejects.toThrow(`${outside}:2:12 (key "max_steps")`);
    await expect(engine.agents.importFile('default', join(temp.home, 'missing.prompt'))).rejects.toThrow(NotFoundError);

    const target = engine.agents.exportTo('default', 'hello', temp.home);
    expect(target).toBe(join(temp.home, 'hello.prompt'));
    expect(readFileSync(target, 'utf8')).toBe(readFileSync(join(dir(), 'hello.prompt'), 'utf8'));
    expect(() => engine.agents.exportTo('default', 'hello', temp.home)).toThrow(ConflictError);
  });
});

describe('AgentService: tool references against the last sync', () => {
  function recordTools(tools: Record<string, string[]>): void {
    const envId = (engine.db.prepare("SELECT id FROM environments WHERE name = 'default'").get() as { id: number }).id;
    for (const [server, names] of Object.entries(tools)) {
      const s = engine.db
        .prepare(
          "INSERT INTO mcp_servers (environment_id, name, config_file, transport, config_hash, created_at, updated_at) VALUES (?, ?, 'template.json', 'stdio', 'h', 1, 1) RETURNING id",
        )
        .get(envId, server) as { id: number };
      for (const name of names) {
        engine.db
          .prepare(
            "INSERT INTO mcp_tools (server_id, name, schema_hash, created_at, updated_at) VALUES (?, ?, 'h', 1, 1)",
          )
          .run(s.id, name);
      }
    }
  }

  it('create refuses a tool the last sync did not record, with the close names (exit 5); before a sync it accepts', async () => {
    await engine.agents.create('default', { name: 'early', prompt: 'x', tools: ['__anything'] });
    recordTools({ filesystem: ['read_text_file', 'list_directory'] });
    const error = await engine.agents
      .create('default', { name: 'typo', prompt: 'x', tools: ['filesystem__read_txt_file'] })
      .catch((e: unknown) => e as ValidationError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).exitCode).toBe(5);
    expect((error as ValidationError).message).toContain(
      'cannot create agent "typo": tool "filesystem__read_txt_file" is not provided by any server of environment "default"',
    );
    expect((error as ValidationError).hints[0]).toBe(
      'filesystem__read_txt_file: did you mean filesystem__read_text_file?',
    );
    expect(files()).not.toContain('typo.prompt');
    await engine.agents.create('default', { name: 'ok', prompt: 'x', tools: ['filesystem__read_text_file'] });
    expect(files()).toContain('ok.prompt');
  });

  it('validate reports missing and ambiguous references once tools are known', async () => {
    let report = await engine.agents.validate('default');
    expect(report).toMatchObject({ environment: 'default', toolsChecked: false, errors: 0 });

    recordTools({ filesystem: ['read_text_file', 'list_directory'], backup: ['read_text_file'] });
    writeFileSync(
      join(dir(), 'x.prompt'),
      '---\ntools: [__list_directory, __read_text_file, backup__read_text_file, __nope]\n---\nx',
    );
    report = await engine.agents.validate('default', ['x']);
    expect(report.toolsChecked).toBe(true);
    expect(report.agents).toEqual([
      {
        file: join(dir(), 'x.prompt'),
        name: 'x',
        ok: false,
        problems: [
          {
            severity: 'error',
            key: 'tools.1',
            message:
              'tool "__read_text_file" is ambiguous: backup__read_text_file, filesystem__read_text_file all match; write the server-qualified name',
          },
          {
            severity: 'error',
            key: 'tools.3',
            message: 'tool "__nope" is not provided by any server of environment "default" (as of the last stn sync)',
          },
        ],
      },
    ]);
    const linked = engine.db
      .prepare(
        'SELECT t.tool_name, m.name AS tool FROM agent_tools t JOIN agents a ON a.id = t.agent_id LEFT JOIN mcp_tools m ON m.id = t.mcp_tool_id WHERE a.name = ? ORDER BY t.rowid',
      )
      .all('x');
    expect(linked).toEqual([
      { tool_name: '__list_directory', tool: 'list_directory' },
      { tool_name: '__read_text_file', tool: null },
      { tool_name: 'backup__read_text_file', tool: 'read_text_file' },
      { tool_name: '__nope', tool: null },
    ]);
  });

  it('validate warns about template variables the input schema does not declare', async () => {
    writeFileSync(join(dir(), 'task.prompt'), '---\nmetadata:\n  name: task\n---\nTask: {{TASK}} in {{ENVIRONMENT}}');
    const report = await engine.agents.validate('default', ['task']);
    expect(report).toMatchObject({ errors: 0, warnings: 1 });
    expect(report.agents[0]).toMatchObject({
      ok: true,
      problems: [
        {
          severity: 'warning',
          key: 'input.schema',
          message:
            'the template reads {{ENVIRONMENT}}, {{TASK}}, which the input schema does not declare; they render empty unless given',
        },
      ],
    });
  });

  it('validate checks every file: syntax, template, schema and duplicate names', async () => {
    writeFileSync(join(dir(), 'a.prompt'), '---\nmax_steps: "ten"\n---\nx');
    writeFileSync(join(dir(), 'b.prompt'), '{{#each}}');
    writeFileSync(
      join(dir(), 'c.prompt'),
      '---\ninput:\n  schema:\n    type: object\n    properties:\n      n: {type: strin}\n---\nx',
    );
    writeFileSync(join(dir(), 'd.prompt'), '---\nmetadata:\n  name: hello\n---\nx');
    const report = await engine.agents.validate('default');
    expect(report.errors).toBe(5);
    const byFile = Object.fromEntries(report.agents.map((c) => [c.file.split('/').pop(), c]));
    expect(byFile['a.prompt']?.problems[0]).toMatchObject({ line: 2, key: 'max_steps' });
    expect(byFile['b.prompt']?.problems[0]?.message).toContain('template');
    expect(byFile['c.prompt']?.problems[0]?.message).toContain('input schema');
    expect(byFile['file-explorer.prompt']).toMatchObject({ ok: true, problems: [] });
    for (const f of ['d.prompt', 'hello.prompt']) {
      expect(byFile[f]?.problems).toEqual([
        { severity: 'error', message: 'the agent name "hello" is used by 2 files: d.prompt, hello.prompt' },
      ]);
    }
  });
});
