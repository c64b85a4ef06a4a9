/**
 * The hidden command the completion scripts call: `stn __complete bash|zsh -- WORD...`, the words typed after
 * `stn` up to the one under the cursor. main.ts answers it before oclif loads, so a Tab press stays fast.
 */
export const COMPLETE_COMMAND = '__complete';

/** The shells `stn completion` writes a script for. */
export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** First line of an answer that hands over to the shell's own file (or folder) name completion. */
export const PATHS_DIRECTIVE = { files: ':files', dirs: ':dirs' } as const;
