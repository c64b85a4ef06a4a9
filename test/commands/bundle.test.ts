import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, type RunHome } from '../e2e/run-home.js';

// The first-party bundles as users install them: the built binary, offline (the MCP servers come from
// Station's own node_modules), a sync, and a run against the test model server.

let model: ModelServer;
let home: RunHome;
beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  home = makeRunHome();
  model.requests.length = 0;
  model.script([]);
});
afterEach(() => {
  home.cleanup();
});

interface Line {
  type: string;
  data?: Record<string, unknown>;
  status?: string;
  output?: string | null;
}

function ndjson(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

describe('stn bundle', () => {
  it('refuses to start servers without approval when there is no terminal (exit 2), and installs nothing', async () => {
    const out = await runStn(['bundle', 'install', 'ops-toolkit'], { env: home.env });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/approval needed/);
    expect(out.stderr).toMatch(/--yes/);
    expect(existsSync(join(home.home, 'environments', 'ops-toolkit'))).toBe(false);
  });

  it('installs ops-toolkit by name, syncs it, and runs its capacity planner with the get-sum tool', async () => {
    const install = await runStn(['bundle', 'install', 'ops-toolkit', '--yes', '--json'], { env: home.env });
    expect(install.code).toBe(0);
    const result = JSON.parse(install.stdout) as {
      environment: string;
      ok: boolean;
      servers: { name: string; command: string }[];
      sync: { environments: { servers: { status: string; tools: number }[] }[] };
      error: unknown;
    };
    expect(result).toMatchObject({ environment: 'ops-toolkit', ok: true, error: null });
    expect(result.servers[0]?.command).toBe(process.execPath);
    expect(result.sync.environments[0]?.servers[0]?.status).toBe('ready');

    model.push(
      { toolCalls: [{ id: 'call_1', name: 'everything__get-sum', arguments: { a: 40, b: 2 } }] },
      { text: 'Total: 42 cores; it fits.' },
    );
    const run = await runStn(
      ['agent', 'run', 'capacity-planner', 'web 40 cores, batch 2 cores', '--env', 'ops-toolkit', '--json'],
      { env: home.envFor(model.url) },
    );
    expect(run.code).toBe(0);
    const lines = ndjson(run.stdout);
    const tool = lines.find((l) => l.type === 'tool.finished');
    expect(tool?.data).toMatchObject({ tool: 'everything__get-sum', isError: false });
    expect(JSON.stringify(tool?.data)).toContain('42');
    expect(lines.at(-1)).toMatchObject({ status: 'completed', output: 'Total: 42 cores; it fits.' });
  }, 60_000);

  it('installs log-inspector with a --var, and its triage agent reads the logs', async () => {
    writeFileSync(join(home.files, 'app.log'), '2026-12-06T01:00:00Z ERROR db: connection refused\n');
    const install = await runStn(
      ['bundle', 'install', 'log-inspector', 'logs', '--yes', '--var', `LOG_ROOT=${home.files}`],
      {
        env: home.env,
      },
    );
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/Installed logs from log-inspector/);
    expect(install.stdout).toMatch(/Saved LOG_ROOT to variables\.yml/);
    expect(install.stdout).toMatch(/1\/1 servers ready/);

    model.push(
      {
        toolCalls: [
          { id: 'call_1', name: 'filesystem__read_text_file', arguments: { path: join(home.files, 'app.log') } },
        ],
      },
      { text: 'The database refused connections at 01:00.' },
    );
    const run = await runStn(['agent', 'run', 'incident-triage', 'db errors?', '--env', 'logs', '--json'], {
      env: home.envFor(model.url),
    });
    expect(run.code).toBe(0);
    const tool = ndjson(run.stdout).find((l) => l.type === 'tool.finished');
    expect(tool?.data).toMatchObject({
      isError: false,
      result: expect.stringContaining('connection refused') as unknown,
    });
  }, 60_000);

  it('creates the same archive twice, without variables.yml, and reinstalls it only with --force', async () => {
    const a = join(home.home, 'a.tar.gz');
    const b = join(home.home, 'b.tar.gz');
    const first = await runStn(['bundle', 'create', 'default', '-o', a, '--json'], { env: home.env });
    expect(first.code).toBe(0);
    const json = JSON.parse(first.stdout) as {
      files: string[];
      manifest: { format: string; tools: Record<string, unknown> };
    };
    expect(json.manifest.format).toBe('station-bundle/1');
    expect(json.files).not.toContain('variables.yml');
    expect((await runStn(['bundle', 'create', 'default', '-o', b], { env: home.env })).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);

    const again = await runStn(['bundle', 'install', a, '--yes', '--no-sync'], { env: home.env });
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already exists/);
    const forced = await runStn(['bundle', 'install', a, '--yes', '--no-sync', '--force'], { env: home.env });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/previous environment was kept at .*backups/);
  }, 60_000);
});
