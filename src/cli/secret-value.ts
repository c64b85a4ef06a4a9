import { UsageError } from '../core/index.js';
import { Prompt, type PromptStreams } from './prompt.js';

/**
 * The value for `stn secret set` (and the key for `stn key import --from-stdin`): typed at a hidden prompt on a terminal (never echoed), else read from stdin
 * (one trailing newline dropped, as `echo` and here-strings add one). Never from argv, where `ps` and shell
 * history would keep it.
 */
export async function readSecretValue(
  name: string,
  streams: PromptStreams = { input: process.stdin, output: process.stderr },
  wording: { question: string; example: string } = {
    question: `Value of ${name} (not shown):`,
    example: `printf %s "$TOKEN" | stn secret set ${name}`,
  },
): Promise<string> {
  const prompt = new Prompt(streams);
  if (prompt.interactive) {
    try {
      return await prompt.hidden(wording.question, {
        validate: (answer) => (answer === '' ? 'A secret needs a value (Ctrl-C to give up).' : undefined),
      });
    } finally {
      prompt.close();
    }
  }
  if (streams.input.isTTY === true) {
    throw new UsageError(`no value for ${name}: pipe it on stdin`, {
      hints: [`Example: ${wording.example}`],
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of streams.input)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}
