import type { Interfaces } from '@oclif/core';
import type { UsageError } from '../core/errors.js';
import { unknownCommandError, type CommandTree } from './command-words.js';
import { CommandLog, fallbackLogSettings } from './command-log.js';
import { colorEnabled, makeStyle } from './output.js';

/** The visible commands and topics oclif knows (plugins' commands included, e.g. `help`). */
export function commandTree(config: Interfaces.Config): CommandTree {
  return {
    commands: config.commands.filter((c) => !c.hidden).map((c) => c.id),
    topics: config.topics.filter((t) => t.hidden !== true).map((t) => t.name),
  };
}

/**
 * Tells the user that `words` name no command, as a command reports a usage error: on stderr with the
 * closest command and `stn help`, or as `{"error": ...}` on stdout with --json; the exit code is 2.
 */
export function reportUnknownCommand(
  config: Interfaces.Config,
  words: readonly string[],
  options: { json: boolean; asHelp?: boolean },
): void {
  const error = unknownCommandError(words, commandTree(config), {
    bin: config.bin,
    ...(options.asHelp === undefined ? {} : { asHelp: options.asHelp }),
  });
  reportUsage(error, options.json);
}

function reportUsage(error: UsageError, json: boolean): void {
  process.exitCode = error.exitCode;
  if (json) {
    const body = { code: error.code, message: error.message, hints: error.hints, exitCode: error.exitCode };
    process.stdout.write(JSON.stringify({ error: body }, null, 2) + '\n');
  } else {
    // On stderr as every command's errors: text on a terminal, a JSON line otherwise (STATION_LOG_FORMAT).
    const log = new CommandLog(fallbackLogSettings(), makeStyle(colorEnabled(process.stderr)), undefined);
    log.error({ code: error.code, message: error.message, hints: error.hints, exitCode: error.exitCode });
  }
}
