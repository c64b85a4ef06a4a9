import { describe, expect, it } from 'vitest';
import { commandArgv, splitLeadingGlobalFlags } from '../../src/cli/global-flags.js';

const reorder = (argv: string[]): string[] => commandArgv(splitLeadingGlobalFlags(argv));

describe('global flags before the command', () => {
  it('moves --home DIR, --home=DIR, --debug and --json after the command words', () => {
    expect(reorder(['--home', '/h', 'env', 'list'])).toEqual(['env', 'list', '--home', '/h']);
    expect(reorder(['--debug', '--home=/h', 'agent', 'run', 'x', 'hi'])).toEqual([
      'agent',
      'run',
      'x',
      'hi',
      '--debug',
      '--home=/h',
    ]);
    expect(reorder(['--json', 'runs', 'list', '-n', '3'])).toEqual(['runs', 'list', '-n', '3', '--json']);
  });

  it('keeps them before `--`, after which every word is an argument', () => {
    expect(reorder(['--debug', 'agent', 'run', 'x', '--', '--not-a-flag'])).toEqual([
      'agent',
      'run',
      'x',
      '--debug',
      '--',
      '--not-a-flag',
    ]);
  });

  it('leaves everything else as typed: flags after the command, other flags first, a --home without a value', () => {
    expect(reorder(['env', 'list', '--home', '/h'])).toEqual(['env', 'list', '--home', '/h']);
    expect(reorder(['--help', 'env'])).toEqual(['--help', 'env']);
    expect(reorder(['-x', '--debug', 'env', 'list'])).toEqual(['-x', '--debug', 'env', 'list']);
    expect(splitLeadingGlobalFlags(['--home'])).toEqual({ rest: ['--home'], leading: [] });
  });

  it('global flags alone leave no command words (main.ts then shows the root help or opens the UI)', () => {
    expect(splitLeadingGlobalFlags(['--home', '/h', '--debug'])).toEqual({
      rest: [],
      leading: ['--home', '/h', '--debug'],
    });
  });
});
