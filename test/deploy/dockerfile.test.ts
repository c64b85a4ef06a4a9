import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { dockerIgnored } from '../helpers/dockerignore.js';

/**
 * The Dockerfile read with dockerfile-ast (no container engine runs here, so the image is never built in tests):
 * its stages, user, health check, signals, and that everything it copies from the context is there.
 */
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

/** The instructions of each stage, in order (an instruction belongs to the last FROM before it). */
function stages(): Stage[] {
  const out: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line);
      out.push({ name: from?.getBuildStage() ?? '', image: from?.getImage() ?? '', instructions: [] });
    } else {
      out.at(-1)?.instructions.push(instruction);
    }
  }
  return out;
}

function args(instruction: Instruction): string[] {
  return instruction.getArguments().map((a) => a.getValue());
}

function runs(stage: Stage): string {
  return stage.instructions
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) => i.getArgumentsContent() ?? '')
    .join('\n');
}

function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((i) => i.getKeyword() === keyword);
  expect(found, `${keyword} in stage ${stage.name}`).toHaveLength(1);
  return found[0] as Instruction;
}

const all = stages();
const byName = (name: string): Stage => {
  const stage = all.find((s) => s.name === name);
  if (stage === undefined) throw new Error(`no stage ${name}`);
  return stage;
};
const run = all.at(-1) as Stage;

describe('Dockerfile', () => {
  it('parses, with a build stage (dev dependencies), a production-dependencies stage and a run stage on node:20-bookworm-slim', () => {
    expect(all.map((s) => s.name)).toEqual(['toolchain', 'build', 'prod-deps', 'litestream', 'run']);
    const initialArg = dockerfile.getInitialARGs().map((a) => a.getArgumentsContent());
    expect(initialArg).toEqual(['NODE_IMAGE=node:20-bookworm-slim']);
    expect(byName('toolchain').image).toBe('${NODE_IMAGE}');
    expect(run.image).toBe('${NODE_IMAGE}');
    expect(byName('build').image).toBe('toolchain');
    expect(byName('prod-deps').image).toBe('toolchain');
    // Build tools for the SQLite driver's native module, in the stage the others compile in.
    expect(runs(byName('toolchain'))).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(runs(byName('build'))).toMatch(/npm ci\n[\s\S]*npm run build/);
    expect(runs(byName('build'))).not.toContain('--omit=dev');
    expect(runs(byName('prod-deps'))).toBe('npm ci --omit=dev');
  });

  it('runs with production dependencies only: node_modules from prod-deps, dist from build, no compiler or npm install', () => {
    const copies = run.instructions.filter((i) => i.getKeyword() === 'COPY');
    const from = (target: string): string | undefined =>
      dockerfile
        .getCOPYs()
        .find(
          (c) => copies.some((i) => i.getRange().start.line === c.getRange().start.line) && args(c).at(-1) === target,
        )
        ?.getFromFlag()
        ?.getValue() ?? undefined;
    expect(from('./node_modules')).toBe('prod-deps');
    expect(from('./dist')).toBe('build');
    expect(runs(run)).not.toMatch(/apt-get|npm (ci|install)|g\+\+/);
    // Every --from names an earlier stage.
    const names = all.map((s) => s.name);
    for (const copy of dockerfile.getCOPYs()) {
      const stage = copy.getFromFlag()?.getValue();
      if (stage !== undefined && stage !== null) expect(names).toContain(stage);
    }
  });

  it('runs as a non-root user made in the image, with the home on a volume', () => {
    const user = args(only(run, 'USER'))[0] ?? '';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(runs(run)).toContain(`useradd --system --uid 10001 --gid station`);
    expect(user).toBe('station');
    const env = run.instructions
      .filter((i) => i.getKeyword() === 'ENV')
      .map((i) => i.getArgumentsContent() ?? '')
      .join(' ');
    expect(env).toMatch(/STATION_HOME=\/data\/station/);
    expect(only(run, 'VOLUME').getArgumentsContent()).toBe('["/data"]');
    expect(runs(run)).toContain('chown station:station /data');
  });

  it('checks /health with node on the exposed port, and starts in exec form so SIGTERM reaches stn serve', () => {
    const port = args(only(run, 'EXPOSE'))[0];
    expect(port).toBe('8585');
    const health = only(run, 'HEALTHCHECK').getArgumentsContent() ?? '';
    expect(health).toContain('CMD ["node", "-e",');
    expect(health).toContain(`http://127.0.0.1:${port ?? ''}/health`);
    expect(health).not.toContain('curl');
    expect(args(only(run, 'STOPSIGNAL'))).toEqual(['SIGTERM']);
    const entrypoint = only(run, 'ENTRYPOINT').getArgumentsContent() ?? '';
    const cmd = only(run, 'CMD').getArgumentsContent() ?? '';
    expect(JSON.parse(entrypoint)).toEqual(['/usr/local/bin/station-entrypoint']);
    // serve binds every address of the container, on the exposed port.
    expect(JSON.parse(cmd)).toEqual(['--host', '0.0.0.0', '--port', port]);
    const script = readFileSync(join(ROOT, 'deploy', 'entrypoint.sh'), 'utf8');
    expect(script).toMatch(/\nexec stn serve "\$@"\n$/);
    expect(script).toContain('exec litestream replicate -config "$config" -exec "$command"');
  });

  it('copies only files that exist in the repository and that .dockerignore leaves in the build context', () => {
    const sources: string[] = [];
    for (const copy of dockerfile.getCOPYs()) {
      if (copy.getFromFlag() !== null) continue;
      const values = args(copy).filter((a) => !a.startsWith('--'));
      sources.push(...values.slice(0, -1));
    }
    expect(sources).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'bin', 'templates', 'deploy/entrypoint.sh']),
    );
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(dockerIgnored(dockerignore, source), `${source} is in the build context`).toBe(false);
    }
    expect(statSync(join(ROOT, 'deploy', 'entrypoint.sh')).mode & 0o111).not.toBe(0);
  });

  it('.dockerignore keeps the build context small: no node_modules, dist, tests or git history', () => {
    for (const path of [
      'node_modules/ajv/package.json',
      'dist/cli/main.js',
      'test/e2e/cli.test.ts',
      '.git',
      'README.md',
    ]) {
      expect(dockerIgnored(dockerignore, path), path).toBe(true);
    }
    for (const path of ['src/core/init.ts', 'bundles', 'deploy/entrypoint.sh', 'tsconfig.build.json']) {
      expect(dockerIgnored(dockerignore, path), path).toBe(false);
    }
  });
});
