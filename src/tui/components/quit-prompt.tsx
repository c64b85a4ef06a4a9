import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { RunView } from '../client/station-client.js';
import { plural, truncate } from '../format.js';
import type { Theme } from '../theme.js';

export interface QuitPromptProps {
  width: number;
  height: number;
  theme: Theme;
  /** Where the runs execute: in this process (local) or in the server (remote). */
  kind: 'local' | 'remote';
  /** The server's URL (remote). */
  server: string;
  /** The runs this UI started that are still queued or running. */
  runs: readonly RunView[];
  /** The status of those runs is not known now (the connection to the server is lost). */
  stale: boolean;
}

/** The lines of the question asked before quitting with runs in progress (also read by tests). */
export function quitPromptLines(
  kind: 'local' | 'remote',
  server: string,
  runs: readonly RunView[],
  stale: boolean,
): string[] {
  const n = plural(runs.length, 'run');
  const them = runs.length === 1 ? 'it' : 'them';
  const list = runs.map((r) => `#${String(r.id)} ${r.agent} (${stale ? 'stale' : r.status})`).join(', ');
  const progress = stale ? 'was in progress when the connection was lost' : 'in progress';
  if (kind === 'local')
    return [
      `Quit? ${n} started here ${progress}: ${list}.`,
      `${runs.length === 1 ? 'It runs' : 'They run'} inside this UI, so quitting cancels ${them}`,
      '(recorded as cancelled from the TUI).',
      '',
      `  y  quit and cancel ${n}`,
      '  n  stay',
    ];
  return [
    `Quit? ${n} started here ${progress}: ${list}.`,
    `${runs.length === 1 ? 'It runs' : 'They run'} on ${server}, not in this UI:`,
    `quitting leaves ${them} running there (stn ui --remote shows ${them} again).`,
    '',
    `  y  quit; ${n} keep${runs.length === 1 ? 's' : ''} running on ${server}`,
    `  c  cancel ${them} and quit`,
    '  n  stay',
  ];
}

/** Asked in place of the screen when q or Ctrl-C is pressed while runs this UI started are in progress. */
export function QuitPrompt({ width, height, theme, kind, server, runs, stale }: QuitPromptProps): ReactNode {
  const lines = quitPromptLines(kind, server, runs, stale);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {lines.map((line, i) => (
        <Text
          key={i}
          bold={i === 0}
          wrap="wrap"
          {...(i === 0 && theme.warn !== undefined ? { color: theme.warn } : {})}
        >
          {line === '' ? ' ' : truncate(line, width * 3)}
        </Text>
      ))}
    </Box>
  );
}
