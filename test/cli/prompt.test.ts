import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Prompt, PromptInterruptedError } from '../../src/cli/prompt.js';
import { ExitCode, UsageError } from '../../src/core/index.js';

/** A prompt on in-memory streams; `terminal` gives readline's terminal mode (raw keys, echo) as on a TTY. */
function session(options: { terminal?: boolean; interactive?: boolean } = {}): {
  prompt: Prompt;
  input: PassThrough;
  transcript: () => string;
} {
  const input = new PassThrough();
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const prompt = new Prompt({
    input,
    output,
    interactive: options.interactive ?? true,
    terminal: options.terminal ?? false,
  });
  return { prompt, input, transcript: () => text };
}

describe('Prompt.line', () => {
  it('prints the question, waits for the line and returns it trimmed', async () => {
    const s = session();
    const answer = s.prompt.line('Name: ');
    s.input.write('  Ada Lovelace  \n');
    expect(await answer).toBe('Ada Lovelace');
    expect(s.transcript()).toBe('Name: ');
    s.prompt.close();
  });

  it('an empty line gives the default; spaces are kept when asked', async () => {
    const s = session();
    s.input.write('\n   \n  indented\n');
    expect(await s.prompt.line('Model [gpt-4o]: ', { default: 'gpt-4o' })).toBe('gpt-4o');
    expect(await s.prompt.line('Model [gpt-4o]: ', { default: 'gpt-4o' })).toBe('gpt-4o');
    expect(await s.prompt.line('> ', { keepSpaces: true })).toBe('  indented');
    s.prompt.close();
  });

  it('asks again, with the note, until the answer is valid', async () => {
    const s = session();
    s.input.write('lots\n0\n4\n');
    const steps = await s.prompt.line('Max steps: ', {
      validate: (a) => (/^[1-9]\d*$/.test(a) ? undefined : '  a whole number of at least 1, please'),
    });
    expect(steps).toBe('4');
    expect(s.transcript()).toBe(
      'Max steps:   a whole number of at least 1, please\nMax steps:   a whole number of at least 1, please\nMax steps: ',
    );
    s.prompt.close();
  });

  it('on a terminal, what is typed is echoed', async () => {
    const s = session({ terminal: true });
    const answer = s.prompt.line('Workdir: ');
    s.input.write('/srv/work\r');
    expect(await answer).toBe('/srv/work');
    expect(s.transcript()).toContain('Workdir: ');
    expect(s.transcript()).toContain('/srv/work');
    s.prompt.close();
  });
});

describe('Prompt.hidden', () => {
  it('on a terminal reads the secret without echoing it, with backspace, then ends the line', async () => {
    const s = session({ terminal: true });
    const secret = s.prompt.hidden('API_TOKEN (input hidden): ');
    s.input.write('sk_live_42x\u007f\r');
    expect(await secret).toBe('sk_live_42');
    expect(s.transcript()).toBe('API_TOKEN (input hidden): \n');
    // Echo is back for the next question.
    const next = s.prompt.line('Name: ');
    s.input.write('visible\r');
    expect(await next).toBe('visible');
    expect(s.transcript()).toContain('visible');
    expect(s.transcript()).not.toContain('sk_live');
    s.prompt.close();
  });

  it('asks again while the answer is refused; the secret is returned as typed', async () => {
    const s = session();
    s.input.write('\n pass word \n');
    const secret = await s.prompt.hidden('Token: ', {
      validate: (a) => (a === '' ? '  A value is required.' : undefined),
    });
    expect(secret).toBe(' pass word ');
    expect(s.transcript()).toBe('Token: \n  A value is required.\nToken: \n');
    s.prompt.close();
  });
});

describe('Prompt.confirm', () => {
  it('takes y/yes/n/no in any case; an empty line is the default, which the brackets show', async () => {
    const s = session();
    s.input.write('\nYES\nn\n\n');
    expect(await s.prompt.confirm('Delete it?')).toBe(false);
    expect(await s.prompt.confirm('Delete it?')).toBe(true);
    expect(await s.prompt.confirm('Edit again?', { default: true })).toBe(false);
    expect(await s.prompt.confirm('Edit again?', { default: true })).toBe(true);
    expect(s.transcript()).toBe('Delete it? [y/N] Delete it? [y/N] Edit again? [Y/n] Edit again? [Y/n] ');
    s.prompt.close();
  });

  it('asks again after an answer that is neither', async () => {
    const s = session();
    const answer = s.prompt.confirm('Go?');
    s.input.write('maybe\n');
    s.input.write('y\n');
    expect(await answer).toBe(true);
    expect(s.transcript()).toBe('Go? [y/N]   y or n, please\nGo? [y/N] ');
    s.prompt.close();
  });
});

describe('Prompt.choose', () => {
  const models = [
    { label: 'gpt-4o', value: 1 },
    { label: 'gpt-4o-mini', value: 2 },
    { label: 'llama3', value: 3 },
  ] as const;

  it('lists the choices numbered and returns the value of the number typed', async () => {
    const s = session();
    const picked = s.prompt.choose('Model for this agent:', [...models]);
    s.input.write('2\n');
    expect(await picked).toBe(2);
    expect(s.transcript()).toBe('Model for this agent:\n  1) gpt-4o\n  2) gpt-4o-mini\n  3) llama3\nChoose 1-3: ');
    s.prompt.close();
  });

  it('takes a label too, re-asks on a number out of range, and an empty line picks the default', async () => {
    const s = session();
    s.input.write('4\nLLAMA3\n\n');
    expect(await s.prompt.choose('Model:', [...models])).toBe(3);
    expect(s.transcript()).toContain('Choose 1-3:   a number from 1 to 3, please\nChoose 1-3: ');
    expect(await s.prompt.choose('Model:', [...models], { default: 1 })).toBe(1);
    expect(s.transcript()).toContain('  1) gpt-4o (default)\n');
    s.prompt.close();
  });
});

describe('Prompt.chooseMany', () => {
  const tools = [
    { label: 'fs__read_text_file', value: 'fs__read_text_file', detail: 'Read a file as text.\nMore lines.' },
    { label: 'fs__list_directory', value: 'fs__list_directory', detail: 'List a folder.' },
    { label: 'fs__write_file', value: 'fs__write_file' },
  ];

  it('lists the choices numbered with their first line of detail, and takes numbers and names in any mix', async () => {
    const s = session();
    const picked = s.prompt.chooseMany('Tools:', tools);
    s.input.write('3, FS__READ_TEXT_FILE 3\n');
    expect(await picked).toEqual(['fs__write_file', 'fs__read_text_file']);
    expect(s.transcript()).toBe(
      'Tools:\n' +
        '  1) fs__read_text_file  Read a file as text.\n' +
        '  2) fs__list_directory  List a folder.\n' +
        '  3) fs__write_file\n' +
        'Numbers or names, comma-separated (1-3; empty for none): ',
    );
    s.prompt.close();
  });

  it('re-asks naming what is not in the list, and an empty line picks none', async () => {
    const s = session();
    s.input.write('1, 7, fs__nope\n\n');
    expect(await s.prompt.chooseMany('Tools:', tools)).toEqual([]);
    expect(s.transcript()).toContain(
      'not in the list: 7, fs__nope (numbers 1-3 or names as listed, please)\nNumbers or names, comma-separated',
    );
    s.prompt.close();
  });

  it('without a terminal, fails at once naming the flag', async () => {
    const s = session({ interactive: false });
    await expect(s.prompt.chooseMany('Tools:', tools, { flag: '--tool' })).rejects.toMatchObject({
      message: '"Tools" is needed, and there is no terminal to ask on',
      hints: ['Pass --tool instead.'],
    });
  });
});

describe('the end of the input and Ctrl-C', () => {
  it('EOF while waiting rejects with an interrupted error (exit 130); lines typed before it still answer', async () => {
    const s = session();
    s.input.end('first\n');
    expect(await s.prompt.line('One: ')).toBe('first');
    const error = await s.prompt.line('Two: ').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptInterruptedError);
    expect((error as PromptInterruptedError).exitCode).toBe(ExitCode.INTERRUPTED);
    expect((error as Error).message).toBe('the input ended before an answer was given');
    // Every later question fails at once.
    await expect(s.prompt.confirm('Three?')).rejects.toBeInstanceOf(PromptInterruptedError);
    await expect(s.prompt.hidden('Four: ')).rejects.toBeInstanceOf(PromptInterruptedError);
  });

  it('Ctrl-C on a terminal rejects the question as interrupted', async () => {
    const s = session({ terminal: true });
    const answer = s.prompt.hidden('Secret: ');
    s.input.write('abc\u0003');
    await expect(answer).rejects.toThrow('interrupted (Ctrl-C)');
  });

  it('close() releases the input; the next question takes it again, and lines typed meanwhile answer it', async () => {
    const s = session({ terminal: true });
    const first = s.prompt.line('One: ');
    s.input.write('1\r');
    expect(await first).toBe('1');
    s.prompt.close();
    expect(s.input.listenerCount('keypress')).toBe(0);
    s.input.write('2\r');
    expect(await s.prompt.line('Two: ')).toBe('2');
    s.prompt.close();
  });

  it('close() while a question waits rejects it', async () => {
    const s = session();
    const answer = s.prompt.line('Name: ');
    s.prompt.close();
    await expect(answer).rejects.toThrow('the questions were closed');
  });
});

describe('not on a terminal', () => {
  it('every kind of question fails at once with a usage error naming the flag, and reads nothing', async () => {
    const input = new PassThrough();
    let written = '';
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const prompt = new Prompt({ input, output });
    expect(prompt.interactive).toBe(false);
    const line = await prompt.line('Name: ', { flag: 'the name as the first argument' }).catch((e: unknown) => e);
    expect(line).toBeInstanceOf(UsageError);
    expect((line as UsageError).message).toBe('"Name" is needed, and there is no terminal to ask on');
    expect((line as UsageError).hints).toEqual(['Pass the name as the first argument instead.']);
    await expect(
      prompt.hidden('  API_TOKEN (input hidden): ', { flag: '--var API_TOKEN=VALUE' }),
    ).rejects.toMatchObject({
      code: 'usage',
      hints: ['Pass --var API_TOKEN=VALUE instead.'],
    });
    await expect(prompt.confirm('Delete it?', { flag: '--yes' })).rejects.toMatchObject({
      hints: ['Pass --yes instead.'],
    });
    await expect(prompt.choose('Model:', [{ label: 'a', value: 'a' }])).rejects.toMatchObject({
      hints: ['Run the command on a terminal.'],
    });
    expect(written).toBe('');
    expect(input.listenerCount('data')).toBe(0);
  });

  it('is interactive when both streams are terminals', () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = Object.assign(new PassThrough(), { isTTY: true });
    expect(new Prompt({ input, output }).interactive).toBe(true);
    expect(new Prompt({ input, output: new PassThrough() }).interactive).toBe(false);
  });
});
