// End to end through the built binary (bin/run.js): needs `npm run build` first.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runStn } from '../../helpers/cli.js';
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
});
