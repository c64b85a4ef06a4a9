// The layering rules of eslint.config.js fire where they should, and only there: each case lints a
// small file placed (virtually: it is not written) in the tree with the project's own configuration.
// Rules that need type information are off: they need the file on disk, and these rules do not.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** The rules that fire on `code` as if it were the file `path` of the repository. */
async function rulesFired(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  const fatal = result?.messages.filter((m) => m.fatal === true) ?? [];
  expect(fatal).toEqual([]);
  return [...new Set(result?.messages.map((m) => m.ruleId ?? '') ?? [])];
}

const RESTRICTED_PATHS = 'import-x/no-restricted-paths';
const NO_REPO = 'no-restricted-syntax';

describe('layering lint rules', { timeout: 120_000 }, () => {
  it('the TUI imports the core through its facade only', async () => {
    expect(
      await rulesFired(
        'src/tui/client/lint-probe.ts',
        "import { McpRepo } from '../../core/store/mcp-repo.js';\nexport const probe = McpRepo;\n",
      ),
    ).toContain(RESTRICTED_PATHS);
    expect(
      await rulesFired(
        'src/tui/screens/lint-probe.ts',
        "import type { RunFeed } from '../../core/runner/run-feed.js';\nexport type Probe = RunFeed;\n",
      ),
    ).toContain(RESTRICTED_PATHS);
    expect(
      await rulesFired(
        'src/tui/client/lint-probe.ts',
        "import { Application } from '../../core/index.js';\nexport const probe = Application;\n",
      ),
    ).toEqual([]);
  });

  it('the HTTP and MCP servers do not import the store', async () => {
    expect(
      await rulesFired(
        'src/core/server/lint-probe.ts',
        "import { RunRepo } from '../store/run-repo.js';\nexport const probe = RunRepo;\n",
      ),
    ).toContain(RESTRICTED_PATHS);
    expect(
      await rulesFired(
        'src/core/mcp-server/lint-probe.ts',
        "import type { Db } from '../store/database.js';\nexport type Probe = Db;\n",
      ),
    ).toContain(RESTRICTED_PATHS);
    expect(
      await rulesFired(
        'src/core/server/lint-probe.ts',
        "import { Application } from '../api/application.js';\nexport const probe = Application;\n",
      ),
    ).toEqual([]);
    // The rest of the core may.
    expect(
      await rulesFired(
        'src/core/runner/lint-probe.ts',
        "import { RunRepo } from '../store/run-repo.js';\nexport const probe = RunRepo;\n",
      ),
    ).toEqual([]);
  });

  it('no door reaches into RunService.repo', async () => {
    const reach = (core: string): string =>
      `import type { Engine } from '${core}';\nexport function probe(engine: Engine): number {\n  return engine.runs.repo.lastSeq(1);\n}\n`;
    for (const [path, core] of [
      ['src/tui/client/lint-probe.ts', '../../core/index.js'],
      ['src/cli/lint-probe.ts', '../core/index.js'],
      ['src/commands/lint-probe.ts', '../core/index.js'],
      ['src/core/server/lint-probe.ts', '../engine.js'],
      ['src/core/mcp-server/lint-probe.ts', '../engine.js'],
    ] as const) {
      expect(await rulesFired(path, reach(core)), path).toContain(NO_REPO);
    }
    // Inside the core, and a class's own `this.repo` anywhere, are fine.
    expect(await rulesFired('src/core/runner/lint-probe.ts', reach('../engine.js'))).toEqual([]);
    expect(
      await rulesFired(
        'src/core/server/lint-probe.ts',
        'export class Probe {\n  private readonly repo = new Map<number, number>();\n  size(): number {\n    return this.repo.size;\n  }\n}\n',
      ),
    ).toEqual([]);
  });

  it('the core does not import the interfaces', async () => {
    expect(
      await rulesFired(
        'src/core/runner/lint-probe.ts',
        "import { LocalClient } from '../../tui/client/local-client.js';\nexport const probe = LocalClient;\n",
      ),
    ).toContain(RESTRICTED_PATHS);
  });
});
