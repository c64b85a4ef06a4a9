import { Help } from '@oclif/core';
import { namesCommand } from './command-words.js';
import { commandTree, reportUnknownCommand } from './unknown-command.js';

/**
 * oclif's help (`stn help agent run`, `stn agent run --help`, `-h`), except for words that name no command:
 * those get Station's "unknown command" with the closest one instead of oclif's `Command agnet:list not found`.
 */
export default class StationHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    const words = subjectWords(argv);
    if (words.length > 0 && !namesCommand(words, commandTree(this.config))) {
      reportUnknownCommand(this.config, words, { json: false, asHelp: true });
      return;
    }
    await super.showHelp(argv);
  }
}

/** The words before the first flag, without `help` itself: what help is asked for. */
function subjectWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const arg of argv) {
    if ((arg === 'help' && words.length === 0) || arg === '--help' || arg === '-h') continue;
    if (arg.startsWith('-')) break;
    words.push(...arg.split(':'));
  }
  return words;
}
