import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askDraft } from '../../../src/commands/agent/create.js';

/** Answers each question when it is asked, as a person at a terminal would. */
function conversation(answers: string[]): { input: PassThrough; output: Writable; transcript: () => string } {
  const input = new PassThrough();
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      if (/(: |> )$/.test(text)) {
        const next = answers.shift();
        if (next !== undefined) setImmediate(() => input.write(`${next}\n`));
      }
      done();
    },
  });
  return { input, output, transcript: () => text };
}

describe('stn agent create on a terminal', () => {
  it('asks for each field and builds the draft', async () => {
    const c = conversation([
      '',
      'Helper',
      'Helps out',
      'gpt-4o',
      'lots',
      '4',
      '__read_text_file, __list_directory',
      'repo:string:the repo',
      'You help.',
      'Be kind.',
      '',
    ]);
    const draft = await askDraft(c.input, c.output);
    expect(draft).toEqual({
      name: 'Helper',
      description: 'Helps out',
      model: 'gpt-4o',
      maxSteps: 4,
      tools: ['__read_text_file', '__list_directory'],
      inputFields: { repo: 'string, the repo' },
      prompt: 'You help.\nBe kind.',
    });
    expect(c.transcript()).toContain('a whole number of at least 1, please');
  });

  it('empty answers leave the optional fields out', async () => {
    const c = conversation(['Minimal', '', '', '', '', '', '']);
    expect(await askDraft(c.input, c.output)).toEqual({ name: 'Minimal' });
  });
});
