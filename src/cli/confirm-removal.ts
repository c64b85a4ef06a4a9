import { UsageError } from '../core/errors.js';
import { Prompt, type PromptStreams } from './prompt.js';

/** Something a command is about to remove for good. */
export interface Removal {
  /** `delete`, `revoke` or `remove`. */
  verb: 'delete' | 'revoke' | 'remove';
  /** What it is, as the messages name it: `agent "reviewer"`. */
  what: string;
  /** What goes with it: `This removes /home/.../reviewer.prompt.` */
  consequence: string;
  /** The same command with --yes, for scripts. */
  command: string;
}

/**
 * Asks before a command removes something: with --yes it goes ahead; on a terminal it asks "Delete agent
 * "reviewer"? [y/N]" (the default is no); without one (a script, a pipe) it refuses with exit 2 and names
 * --yes. Answering no also ends with exit 2, with nothing changed.
 */
export async function confirmRemoval(yes: boolean, removal: Removal, streams?: PromptStreams): Promise<void> {
  if (yes) return;
  const { verb, what, consequence, command } = removal;
  const prompt = new Prompt(streams);
  if (!prompt.interactive) {
    throw new UsageError(`refusing to ${verb} ${what} without --yes`, {
      hints: [consequence, `Run: ${command}`],
    });
  }
  let confirmed: boolean;
  try {
    prompt.write(`${consequence}\n`);
    const question = `${verb[0]?.toUpperCase() ?? ''}${verb.slice(1)} ${what}?`;
    confirmed = await prompt.confirm(question, { flag: '--yes' });
  } finally {
    prompt.close();
  }
  if (!confirmed) {
    throw new UsageError(`${what} was not ${verb}d: not confirmed`, {
      hints: [`To ${verb} it without a question: ${command}`],
    });
  }
}
