// End to end through the built binary (bin/run.js): needs `npm run build` first. A sample of seeded
// mutations of each kind of file goes through the commands that read them: none may crash (exit 1),
// print a stack trace, or hang (runStn kills the process after 30 s and the test fails).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';
import { ALIAS_BOMB, mutate, prng } from '../helpers/mutate.js';

// A sample: the in-process fuzz (test/core/fuzz-files.test.ts) runs hundreds of each kind; this checks the binary end to end.
const SAMPLE = 8;
const COMMANDS = [
  ['agent', 'validate'],
  ['agent', 'list'],
  ['env', 'list'],
  ['sync', 'default', '--dry-run'],
] as const;
/** A server that starts at once and fails (no npx download): sync still reads every file. */
const TEMPLATE =
  '{\n  "name": "default",\n  "mcpServers": {\n    "fs": { "command": "{{ .PROJECT_ROOT }}/missing", "args": ["x"] }\n  }\n}\n';
const STACK = /^\s+at .+[(\s].*:\d+:\d+\)?$/m;

describe('fuzzed files through stn (bin/run.js)', () => {
  let temp: TempHome | undefined;
  afterEach(() => temp?.cleanup());

  for (const [seed, kind] of [
    [11, 'prompt'],
    [12, 'variables'],
    [13, 'config'],
    [14, 'template'],
  ] as const) {
    it(`${kind}: ${SAMPLE} mutations never exit 1, print a stack trace, or hang`, async () => {
      temp = makeInitializedHome();
      const env = join(temp.home, 'environments', 'default');
      writeFileSync(join(env, 'template.json'), TEMPLATE);
      const file = {
        prompt: join(env, 'agents', 'hello.prompt'),
        variables: join(env, 'variables.yml'),
        config: temp.paths.config,
        template: join(env, 'template.json'),
      }[kind];
      const base = readFileSync(file, 'utf8');
      const rand = prng(seed);
      for (let i = 0; i < SAMPLE; i++) {
        const text = mutate(base, rand);
        writeFileSync(file, text);
        const args = COMMANDS[i % COMMANDS.length] ?? COMMANDS[0];
        const out = await runStn(args, { env: temp.env, timeoutMs: 30_000 });
        const what = `stn ${args.join(' ')} on mutation ${i} of ${kind}:\n${text}\n--- stderr ---\n${out.stderr}`;
        expect(out.code, what).not.toBe(1);
        expect(out.code, what).not.toBeNull();
        expect(out.stderr, what).not.toMatch(STACK);
      }
    }, 600_000);
  }

  it('one alias-bomb and one unresolved-alias .prompt: list shows the others, validate exits 5 naming file and line', async () => {
    temp = makeInitializedHome();
    const agents = join(temp.home, 'environments', 'default', 'agents');
    writeFileSync(join(agents, 'bomb.prompt'), `---\nname: bomb\n${ALIAS_BOMB}\n---\nHi`);
    writeFileSync(join(agents, 'alias.prompt'), '---\nname: alias\nmodel: *a\n---\nHi');
    const list = await runStn(['agent', 'list', '--json'], { env: temp.env });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    expect(list.stderr).toContain(`${join(agents, 'alias.prompt')}:3:8 (key "model")`);
    expect(list.stderr).toContain(join(agents, 'bomb.prompt'));
    expect(list.stderr).not.toMatch(STACK);

    const validate = await runStn(['agent', 'validate'], { env: temp.env });
    expect(validate.code).toBe(5);
    expect(validate.stdout).toContain(
      `${join(agents, 'alias.prompt')}:3:8 (key "model"): invalid YAML: Unresolved alias`,
    );
    expect(validate.stdout).toMatch(/bomb\.prompt:\d+:\d+ \(key "[^"]+"\): invalid YAML: too many alias expansions/);

    const show = await runStn(['agent', 'show', 'hello'], { env: temp.env });
    expect(show.code).toBe(0);
    const rendered = await runStn(['agent', 'render', 'hello', 'hi', '--json'], { env: temp.env });
    expect(rendered.code).toBe(0);
    rmSync(join(agents, 'alias.prompt'));
  });

  it('variables.yml and config.yaml with an unresolved alias: exit 6 with file:line', async () => {
    temp = makeInitializedHome();
    const vars = join(temp.home, 'environments', 'default', 'variables.yml');
    writeFileSync(vars, 'PROJECT_ROOT: *root\n');
    const sync = await runStn(['sync', 'default', '--dry-run'], { env: temp.env });
    expect(sync.code).toBe(6);
    expect(sync.stderr).toContain(`${vars}:1:15 (key "PROJECT_ROOT")`);
    writeFileSync(temp.paths.config, `${ALIAS_BOMB}\n`);
    const list = await runStn(['agent', 'list'], { env: temp.env });
    expect(list.code).toBe(6);
    expect(list.stderr).toMatch(new RegExp(`${temp.paths.config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
    expect(list.stderr).not.toMatch(STACK);
  });
});
