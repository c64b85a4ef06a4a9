import { closeNames, editDistance } from '../core/agents/close-names.js';
import { UsageError } from '../core/errors.js';

/** The commands and topics of the CLI, as oclif names them (`agent:list`, `agent`). */
export interface CommandTree {
  commands: readonly string[];
  topics: readonly string[];
}

/** What the words typed after `stn` mean when they name no command. */
export interface UnknownCommand {
  /** The words that name nothing, as typed (with spaces): `agnet list`. */
  typed: string;
  /** The closest command or topic (with spaces), when one is close: `agent list`. */
  suggestion?: string;
  /** The known topic the unknown word was typed under (`agent` for `agent xyz`), when there is one. */
  topic?: string;
}

/**
 * Whether `words` name a command (any longer words are its arguments) or exactly a topic: what oclif would
 * find for them.
 */
export function namesCommand(words: readonly string[], tree: CommandTree): boolean {
  for (let n = words.length; n > 0; n--) {
    if (tree.commands.includes(words.slice(0, n).join(':'))) return true;
  }
  return words.length > 0 && tree.topics.includes(words.join(':'));
}

/**
 * The closest command to words that name none: each word close to the command's word at the same place
 * (`agnet list` -> `agent list`, `agent lst myagent` -> `agent list`, the rest being arguments). A topic is
 * suggested only for exactly as many words (`agnet` -> `agent`), since a topic takes no arguments.
 */
export function explainUnknown(words: readonly string[], tree: CommandTree): UnknownCommand {
  let best: { id: string[]; distance: number; command: boolean } | undefined;
  const consider = (id: string, command: boolean): void => {
    const parts = id.split(':');
    if (parts.length > words.length || (!command && parts.length !== words.length)) return;
    let distance = 0;
    for (const [i, part] of parts.entries()) {
      const word = words[i] as string;
      if (word === part) continue;
      const d = editDistance(word.toLowerCase(), part);
      // closeNames' rule, but never a word that shares nothing with the typed one (`ls` is not `ui`).
      if (closeNames(word, [part]).length === 0 || (d >= Math.max(word.length, part.length) && !part.includes(word)))
        return;
      distance += d;
    }
    const better =
      best === undefined ||
      distance < best.distance ||
      (distance === best.distance && command && !best.command) ||
      (distance === best.distance && command === best.command && parts.length > best.id.length);
    if (better) best = { id: parts, distance, command };
  };
  for (const id of [...tree.commands].sort()) consider(id, true);
  for (const id of [...tree.topics].sort()) consider(id, false);
  if (best !== undefined) {
    return { typed: words.slice(0, best.id.length).join(' '), suggestion: best.id.join(' ') };
  }
  // No close command: name the first word that is not a known topic, under the topic it was typed in.
  let known = 0;
  while (known < words.length - 1 && tree.topics.includes(words.slice(0, known + 1).join(':'))) known++;
  const topic = known > 0 ? words.slice(0, known).join(' ') : undefined;
  return { typed: words.slice(0, known + 1).join(' '), ...(topic === undefined ? {} : { topic }) };
}

/**
 * The usage error for words that name no command (exit 2): what was typed, the closest command, and where to
 * look. `asHelp` words the hints for `stn help ...`.
 */
export function unknownCommandError(
  words: readonly string[],
  tree: CommandTree,
  options: { bin: string; asHelp?: boolean },
): UsageError {
  const { bin } = options;
  const first = words[0] ?? '';
  if (first.startsWith('-')) {
    return new UsageError(`unknown flag "${first}"`, {
      hints: [
        'Only --home, --debug and --json may come before the command; other flags go after it.',
        `See: ${bin} help`,
      ],
    });
  }
  const unknown = explainUnknown(words, tree);
  const help = options.asHelp === true ? `${bin} help` : bin;
  const hints: string[] = [];
  if (unknown.suggestion !== undefined) hints.push(`Did you mean: ${help} ${unknown.suggestion}?`);
  hints.push(`See: ${bin} help${unknown.topic === undefined ? '' : ` ${unknown.topic}`}`);
  return new UsageError(`unknown command "${unknown.typed}"`, { hints });
}
