/**
 * Starts the full-screen TUI on a terminal and returns when the user quits. Loaded by `stn ui` with a
 * dynamic import, so commands that do not open the UI never load React or Ink.
 */
import { render, type Instance } from 'ink';
import { FIRST_FRAME_WAIT_MS, startFirstLoads } from './app/first-frame.js';
import { Root } from './app/root.js';
import { FirstLoadsContext } from './hooks/first-loads.js';
import { FIRST_SCREEN, type ScreenId } from './app/reducer.js';
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
  const firstLoads = startFirstLoads(options.client, options.environment, options.screen ?? FIRST_SCREEN);
  await firstLoads.settle(FIRST_FRAME_WAIT_MS);
  let instance: Instance | undefined;
  const stop = (): void => {
    instance?.unmount();
  };
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    instance = render(
      <FirstLoadsContext.Provider value={firstLoads}>
        <Root
          client={options.client}
          theme={theme}
          environment={options.environment}
          {...(options.screen === undefined ? {} : { screen: options.screen })}
        />
      </FirstLoadsContext.Provider>,
      {
        stdout,
        stdin,
        stderr: options.stderr ?? process.stderr,
        exitOnCtrlC: false,
        patchConsole: true,
        // Ink's throttle is a debounce with a maxWait: a commit inside the window waits for the window's end,
        // and each further commit pushes it back. 60 (Ink's default; this was 30) keeps that wait after a key
        // press or an answer under ~17 ms. Live updates are coalesced (~50 ms) before they reach React.
        maxFps: 60,
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
