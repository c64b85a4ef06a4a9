import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askDraft, splitList } from '../../src/cli/agent-questions.js';
import { Prompt, PromptInterruptedError } from '../../src/cli/prompt.js';

/** Answers each question when it is asked, as a person at a terminal would. */
function conversation(answers: string[]): { prompt: Prompt; input: PassThrough; transcript: () => string } {
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
  return { prompt: new Prompt({ input, output, interactive: true, terminal: false }), input, transcript: () => text };
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
    const draft = await askDraft(c.prompt);
    expect(draft).toEqual({
      name: 'Helper',
      description: 'Helps out',
      model: 'gpt-4o',
      maxSteps: 4,
      tools: ['__read_text_file', '__list_directory'],
      inputFields: { repo: 'string, the repo' },
      prompt: 'You help.\nBe kind.',
    });
    expect(c.transcript()).toContain('Name:   a name, please\nName: ');
    expect(c.transcript()).toContain('Max steps (empty for the default):   a whole number of at least 1, please\n');
  });

  it('offers the recorded tools to pick from by number or name', async () => {
    const c = conversation(['Picker', '', '', '', '2, fs__read_text_file', '', '']);
    const offer = {
      env: 'default',
      tools: [
        { qualifiedName: 'fs__read_text_file', description: 'Read a file.' },
        { qualifiedName: 'fs__list_directory', description: 'List a folder.' },
      ],
    };
    expect(await askDraft(c.prompt, offer)).toEqual({
      name: 'Picker',
      tools: ['fs__list_directory', 'fs__read_text_file'],
    });
    expect(c.transcript()).toContain('Tools the agent may use (recorded by the last sync of "default"):\n');
    expect(c.transcript()).toContain('  2) fs__list_directory  List a folder.\n');
  });

  it('before a first sync, says no tools are recorded and how to get them, and takes typed names', async () => {
    const c = conversation(['Early', '', '', '', '__read_text_file', '', '']);
    expect(await askDraft(c.prompt, { env: 'staging', tools: [] })).toEqual({
      name: 'Early',
      tools: ['__read_text_file'],
    });
    expect(c.transcript()).toContain(
      'No tools are recorded for environment "staging" yet: run stn sync staging to start its MCP servers and record their tools',
    );
  });

  it('empty answers leave the optional fields out', async () => {
    const c = conversation(['Minimal', '', '', '', '', '', '']);
    expect(await askDraft(c.prompt)).toEqual({ name: 'Minimal' });
  });

  it('keeps the indentation of the system prompt lines', async () => {
    const c = conversation(['Indented', '', '', '', '', '', 'Rules:', '  - be brief', '']);
    expect(await askDraft(c.prompt)).toEqual({ name: 'Indented', prompt: 'Rules:\n  - be brief' });
  });

  it('the end of the input stops the questions with an interrupted error', async () => {
    const c = conversation(['Half']);
    const asked = askDraft(c.prompt);
    setImmediate(() => c.input.end());
    await expect(asked).rejects.toBeInstanceOf(PromptInterruptedError);
  });
});

describe('splitList', () => {
  it('splits repeated, comma-separated values and drops empty ones', () => {
    expect(splitList(['a, b', ' ', 'c,,'])).toEqual(['a', 'b', 'c']);
  });
});
