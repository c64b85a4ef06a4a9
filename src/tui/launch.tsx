/**
 * Starts the full-screen TUI on a terminal and returns when the user quits. Loaded by `stn ui` with a
 * dynamic import, so commands that do not open the UI never load React or Ink.
 */
import { render, type Instance } from 'ink';
import { Root } from './app/root.js';
import type { ScreenId } from './app/reducer.js';
import type { StationClient } from './client/station-client.js';
import { makeTheme, themeEnabled } from './theme.js';

export interface LaunchOptions {
  client: StationClient;
  environment: string;
  screen?: ScreenId;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/** Alternate screen on, cursor hidden, cursor home. */
export const ENTER_SCREEN = '\u001b[?1049h\u001b[?25l\u001b[H';
/** Cursor shown, alternate screen off: the terminal as it was before. */
export const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l';

/**
 * Runs the UI until q / Ctrl-C (or SIGTERM / SIGHUP), then restores the terminal and closes the client.
 * The caller closes the engine (which stops MCP children).
 */
export async function launchTui(options: LaunchOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const theme = makeTheme(themeEnabled(options.env ?? process.env));
  stdout.write(ENTER_SCREEN);
  let instance: Instance | undefined;
  const stop = (): void => {
    instance?.unmount();
  };
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    instance = render(
      <Root
        client={options.client}
        theme={theme}
        environment={options.environment}
        {...(options.screen === undefined ? {} : { screen: options.screen })}
      />,
      {
        stdout,
        stdin,
        stderr: options.stderr ?? process.stderr,
        exitOnCtrlC: false,
        patchConsole: true,
        maxFps: 30,
      },
    );
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    instance?.cleanup();
    stdout.write(LEAVE_SCREEN);
    await options.client.close();
  }
}
