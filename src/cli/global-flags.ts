/** The flags every command takes; they may be written before the command as well as after it. */
export const GLOBAL_FLAGS = {
  /** Flags followed by a value (`--home DIR` or `--home=DIR`). */
  withValue: ['--home', '--log-format', '--log-level'],
  /** Flags on their own. */
  alone: ['--debug', '--json'],
} as const;

export interface SplitArgv {
  /** The command words and everything after them, as typed. */
  rest: string[];
  /** Global flags that were written before the command, in order (with their values). */
  leading: string[];
}

/**
 * Takes the global flags written before the command (`stn --home X env list`) off the front of argv. oclif
 * reads the first word as the command, so `commandArgv` puts them back after the command's own words.
 */
export function splitLeadingGlobalFlags(argv: readonly string[]): SplitArgv {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const word = argv[i] as string;
    if ((GLOBAL_FLAGS.alone as readonly string[]).includes(word)) {
      leading.push(word);
      i += 1;
    } else if (GLOBAL_FLAGS.withValue.some((flag) => word.startsWith(`${flag}=`))) {
      leading.push(word);
      i += 1;
    } else if ((GLOBAL_FLAGS.withValue as readonly string[]).includes(word) && i + 1 < argv.length) {
      leading.push(word, argv[i + 1] as string);
      i += 2;
    } else {
      break;
    }
  }
  return { rest: argv.slice(i), leading };
}

/**
 * The argv oclif gets: the command words first, then the global flags written before them, placed before a
 * `--` (after it every word is an argument) or else at the end.
 */
export function commandArgv({ rest, leading }: SplitArgv): string[] {
  if (leading.length === 0) return [...rest];
  const end = rest.indexOf('--');
  if (end === -1) return [...rest, ...leading];
  return [...rest.slice(0, end), ...leading, ...rest.slice(end)];
}
