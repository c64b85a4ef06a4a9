import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../../src/core/config/yaml-source.js';
import { parseStationConfig } from '../../../src/core/config/station-config.js';
import { parseVariables } from '../../../src/core/config/variables-file.js';
import { ExitCode, FileFormatError } from '../../../src/core/errors.js';
import { parseAgentFile } from '../../../src/core/prompt/index.js';

/** Nine levels of nine aliases each: expands to 9^5 strings. */
const BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
].join('\n');

function errorOf(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FileFormatError) return error;
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

describe('YAML errors the yaml library finds only while converting', () => {
  it('an unresolved alias is a FileFormatError at the alias, with its key', () => {
    const e = errorOf(() => YamlSource.parse('/x/f.yml', 'name: ok\nmodel: *a\n'));
    expect(e.position).toMatchObject({ file: '/x/f.yml', line: 2, key: 'model' });
    expect(e.message).toMatch(/f\.yml:2.*"model".*Unresolved alias/);
  });

  it('an alias used before its anchor, nested in a sequence, names the key path', () => {
    const e = errorOf(() => YamlSource.parse('f.yml', 'list:\n  - *later\n  - &later 1\n'));
    expect(e.position).toMatchObject({ line: 2, key: 'list.0' });
  });

  it('an alias bomb is refused quickly as a FileFormatError naming a line', () => {
    const e = errorOf(() => YamlSource.parse('f.yml', BOMB));
    expect(e.message).toMatch(/too many alias expansions/);
    expect(e.position.line).toBeGreaterThanOrEqual(2);
    expect(e.position.key).toBeDefined();
  });

  it('a .prompt with `model: *a` is a FileFormatError with the file line (frontmatter offset)', () => {
    const e = errorOf(() => parseAgentFile('/env/agents/bad.prompt', '---\nname: bad\nmodel: *a\n---\nHi'));
    expect(e.position).toMatchObject({ file: '/env/agents/bad.prompt', line: 3, key: 'model' });
    expect(e.exitCode).toBe(ExitCode.INVALID);
  });

  it('a .prompt alias bomb is a FileFormatError (exit 5)', () => {
    const e = errorOf(() => parseAgentFile('/env/agents/bomb.prompt', `---\n${BOMB}\n---\nHi`));
    expect(e.exitCode).toBe(ExitCode.INVALID);
    expect(e.position.file).toBe('/env/agents/bomb.prompt');
  });

  it('variables.yml and config.yaml: exit 6 with file:line', () => {
    const v = errorOf(() => parseVariables('/env/variables.yml', 'A: 1\nB: *nope\n'));
    expect(v.exitCode).toBe(ExitCode.CONFIG);
    expect(v.position).toMatchObject({ line: 2, key: 'B' });
    const c = errorOf(() => parseStationConfig('/home/config.yaml', BOMB));
    expect(c.exitCode).toBe(ExitCode.CONFIG);
    expect(c.position.line).toBeDefined();
  });
});
