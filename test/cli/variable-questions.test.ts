import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Prompt, PromptInterruptedError } from '../../src/cli/prompt.js';
import { askVariables } from '../../src/cli/variable-questions.js';
import type { MissingVariable } from '../../src/core/index.js';

const missing: MissingVariable[] = [
  {
    name: 'WORKDIR',
    secret: false,
    description: 'where the files are',
    uses: [{ file: '/h/env/template.json', line: 4, column: 9 }],
  },
  { name: 'API_TOKEN', secret: true, uses: [{ file: '/h/env/template.json', line: 7, column: 12 }] },
];

/** A prompt in terminal mode (echo on) over in-memory streams, answering each question as it is asked. */
function terminal(keys: string[]): { prompt: Prompt; input: PassThrough; transcript: () => string } {
  const input = new PassThrough();
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      if (stripVTControlCharacters(text).endsWith(': ')) {
        const next = keys.shift();
        if (next !== undefined) setImmediate(() => input.write(next));
      }
      done();
    },
  });
  return { prompt: new Prompt({ input, output, interactive: true, terminal: true }), input, transcript: () => text };
}

describe('askVariables', () => {
  it('asks for each variable with where it is used; a secret is not echoed; an empty answer is asked again', async () => {
    const t = terminal(['/srv/work\r', '\r', 'tok_SECRET_1\r']);
    const answers = await askVariables(t.prompt, 'default', missing);
    t.prompt.close();
    expect(answers).toEqual({ WORKDIR: '/srv/work', API_TOKEN: 'tok_SECRET_1' });
    const out = t.transcript();
    expect(out).toContain(
      'Environment "default" needs 2 variables; answers are saved to its variables.yml (mode 0600).',
    );
    expect(out).toContain('  WORKDIR: where the files are  (used in template.json:4)');
    expect(out).toContain('  API_TOKEN  (used in template.json:7)');
    expect(out).toContain('/srv/work');
    expect(out).toContain(
      '  API_TOKEN (input hidden): \n  A value is required (Ctrl-C to stop).\n  API_TOKEN (input hidden): \n',
    );
    expect(out).not.toContain('tok_SECRET_1');
  });

  it('says why a default was not used (a path that does not exist) and asks for the variable', async () => {
    const t = terminal(['/srv/here\r']);
    const gone: MissingVariable = {
      name: 'PROJECT_ROOT',
      secret: false,
      reason: 'default path /home/someone/project does not exist',
      uses: [{ file: '/h/env/template.json', line: 3, column: 5 }],
    };
    const answers = await askVariables(t.prompt, 'default', [gone]);
    t.prompt.close();
    expect(answers).toEqual({ PROJECT_ROOT: '/srv/here' });
    expect(t.transcript()).toContain(
      '  PROJECT_ROOT  (used in template.json:3)\n  (default path /home/someone/project does not exist)\n',
    );
  });

  it('Ctrl-C stops it with an interrupted error (exit 130) that says nothing was saved', async () => {
    const t = terminal(['\u0003']);
    const error = await askVariables(t.prompt, 'default', missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptInterruptedError);
    expect(error).toMatchObject({
      exitCode: 130,
      message: 'interrupted while asking for variables; nothing was saved',
    });
  });
});
