import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface ManifestCommand {
  flags: Record<string, unknown>;
  args: Record<string, unknown>;
}
interface Manifest {
  version: string;
  commands: Record<string, ManifestCommand>;
}

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return commandFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * oclif reads commands from the committed oclif.manifest.json; a stale manifest hides new commands and
 * flags. This compares it with the command classes in src/commands.
 */
describe('oclif.manifest.json', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const srcDir = join(ROOT, 'src', 'commands');
  const ids = commandFiles(srcDir)
    .map((file) =>
      relative(srcDir, file)
        .replace(/\.ts$/, '')
        .replace(/\/index$/, '')
        .split('/')
        .join(':'),
    )
    .sort();

  it('is for this version of the package', () => {
    expect(manifest.version).toBe(pkg.version);
  });

  it('lists exactly the commands in src/commands (run `npm run build` to refresh it)', () => {
    expect(Object.keys(manifest.commands).sort()).toEqual(ids);
  });

  it.each(ids)('has every flag and argument of %s', async (id) => {
    // A topic that is also a command (`stn audit`) lives in its folder's index.ts.
    const file = join(srcDir, ...id.split(':'));
    const mod = (await import(existsSync(`${file}.ts`) ? `${file}.ts` : join(file, 'index.ts'))) as {
      default: {
        flags?: Record<string, unknown>;
        baseFlags?: Record<string, unknown>;
        args?: Record<string, unknown>;
        enableJsonFlag?: boolean;
      };
    };
    const cls = mod.default;
    const flags = [
      ...Object.keys(cls.baseFlags ?? {}),
      ...Object.keys(cls.flags ?? {}),
      ...(cls.enableJsonFlag === true ? ['json'] : []),
    ].sort();
    const entry = manifest.commands[id];
    expect(entry, `manifest has no entry for ${id}`).toBeDefined();
    expect(Object.keys(entry?.flags ?? {}).sort()).toEqual(flags);
    expect(Object.keys(entry?.args ?? {}).sort()).toEqual(Object.keys(cls.args ?? {}).sort());
  });
});
