import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainUnknown, namesCommand, unknownCommandError, type CommandTree } from '../../src/cli/command-words.js';
import { ExitCode } from '../../src/core/index.js';
import { ROOT } from '../helpers/cli.js';

/** The real commands (the manifest, plus plugin-help's `help`) and topics. */
function realTree(): CommandTree {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, unknown>;
  };
  const commands = [...Object.keys(manifest.commands), 'help'];
  const topics = [...new Set(commands.filter((id) => id.includes(':')).map((id) => id.split(':')[0] as string))];
  return { commands, topics };
}

describe('unknown commands', () => {
  const tree = realTree();

  it('suggests the closest command, word by word, with spaces', () => {
    expect(explainUnknown(['agnet', 'list'], tree)).toEqual({ typed: 'agnet list', suggestion: 'agent list' });
    expect(explainUnknown(['agent', 'lst'], tree)).toEqual({ typed: 'agent lst', suggestion: 'agent list' });
    expect(explainUnknown(['agnet', 'lst'], tree)).toEqual({ typed: 'agnet lst', suggestion: 'agent list' });
    expect(explainUnknown(['sycn'], tree)).toEqual({ typed: 'sycn', suggestion: 'sync' });
    expect(explainUnknown(['env', 'ls'], tree)).toEqual({ typed: 'env ls', suggestion: 'env list' });
    expect(explainUnknown(['runs', 'shwo', '12'], tree)).toEqual({ typed: 'runs shwo', suggestion: 'runs show' });
  });

  it('suggests a topic only for a single mistyped word', () => {
    expect(explainUnknown(['agnet'], tree)).toEqual({ typed: 'agnet', suggestion: 'agent' });
  });

  it('suggests nothing far-fetched, and names the topic the unknown word was typed under', () => {
    expect(explainUnknown(['ls'], tree)).toEqual({ typed: 'ls' });
    expect(explainUnknown(['frobnicate', 'now'], tree)).toEqual({ typed: 'frobnicate' });
    expect(explainUnknown(['agent', 'xyzzy', 'x'], tree)).toEqual({ typed: 'agent xyzzy', topic: 'agent' });
  });

  it('knows what oclif would find: a command (then arguments) or exactly a topic', () => {
    expect(namesCommand(['agent', 'run', 'hello', 'hi'], tree)).toBe(true);
    expect(namesCommand(['agent'], tree)).toBe(true);
    expect(namesCommand(['agent', 'lst'], tree)).toBe(false);
    expect(namesCommand(['agnet'], tree)).toBe(false);
  });

  it('is a usage error (exit 2) pointing at `stn help`, never at an oclif id', () => {
    const error = unknownCommandError(['agnet', 'list'], tree, { bin: 'stn' });
    expect(error.exitCode).toBe(ExitCode.USAGE);
    expect(error.message).toBe('unknown command "agnet list"');
    expect(error.hints).toEqual(['Did you mean: stn agent list?', 'See: stn help']);
    const help = unknownCommandError(['agent', 'xyzzy'], tree, { bin: 'stn', asHelp: true });
    expect(help.hints).toEqual(['See: stn help agent']);
    expect(unknownCommandError(['agent', 'lst'], tree, { bin: 'stn', asHelp: true }).hints[0]).toBe(
      'Did you mean: stn help agent list?',
    );
    const flag = unknownCommandError(['-x'], tree, { bin: 'stn' });
    expect(flag.message).toBe('unknown flag "-x"');
    expect(flag.exitCode).toBe(ExitCode.USAGE);
  });
});
