import { Flags } from '@oclif/core';

/**
 * The input flags shared by every command that runs or renders an agent, so they mean the same everywhere.
 * `--var` is repeatable but not greedy: `--var a=1 "text"` leaves "text" as the positional argument.
 */
export const inputFlags = {
  input: Flags.string({
    description: 'Input fields as a JSON object, or @FILE to read the object from a file.',
    exclusive: ['input-file'],
  }),
  'input-file': Flags.string({
    description: 'Read the input JSON object from a file ("-" for stdin).',
    exclusive: ['input'],
  }),
  var: Flags.string({
    description: 'Input field NAME=VALUE, converted by the input schema (repeat the flag for more fields).',
    multiple: true,
    multipleNonGreedy: true,
  }),
};

/** The parsed input flags, as `agents.runInput` takes them. */
export function inputSources(
  flags: { input?: string | undefined; 'input-file'?: string | undefined; var?: string[] | undefined },
  text: string | undefined,
): { text: string | undefined; json: string | undefined; file: string | undefined; vars: string[] } {
  return { text, json: flags.input, file: flags['input-file'], vars: flags.var ?? [] };
}
