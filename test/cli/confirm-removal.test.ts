import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmRemoval, type Removal } from '../../src/cli/confirm-removal.js';
import { ExitCode, UsageError } from '../../src/core/index.js';

const removal: Removal = {
  verb: 'delete',
  what: 'agent "reviewer"',
  consequence: 'This removes /h/environments/default/agents/reviewer.prompt.',
  command: 'stn agent delete "reviewer" --env default --yes',
};

function streams(interactive: boolean, typed: string): { input: PassThrough; output: Writable; text: () => string } {
  const input = new PassThrough();
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  input.end(typed);
  return { input, output, text: () => text };
}

describe('confirmRemoval', () => {
  it('goes ahead with --yes, asking nothing', async () => {
    const s = streams(true, '');
    await confirmRemoval(true, removal, { ...s, interactive: true, terminal: false });
    expect(s.text()).toBe('');
  });

  it('on a terminal, says what goes and asks (default no); yes goes ahead', async () => {
    const s = streams(true, 'y\n');
    await confirmRemoval(false, removal, { ...s, interactive: true, terminal: false });
    expect(s.text()).toBe(
      'This removes /h/environments/default/agents/reviewer.prompt.\nDelete agent "reviewer"? [y/N] ',
    );
  });

  it('on a terminal, no (or an empty line) changes nothing and ends with exit 2', async () => {
    for (const answer of ['n\n', '\n']) {
      const s = streams(true, answer);
      const error = await confirmRemoval(false, removal, { ...s, interactive: true, terminal: false }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(error).toMatchObject({
        exitCode: ExitCode.USAGE,
        message: 'agent "reviewer" was not deleted: not confirmed',
        hints: ['To delete it without a question: stn agent delete "reviewer" --env default --yes'],
      });
    }
  });

  it('without a terminal, refuses at once and names --yes', async () => {
    const s = streams(false, 'y\n');
    const error = await confirmRemoval(false, removal, { ...s, interactive: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: ExitCode.USAGE,
      message: 'refusing to delete agent "reviewer" without --yes',
      hints: [removal.consequence, `Run: ${removal.command}`],
    });
    expect(s.text()).toBe('');
  });
});
