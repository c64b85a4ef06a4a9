// The TUI rendered with ink-testing-library on any StationClient (the local client over a real engine,
// or the in-memory fake), with keys to press and frames to wait for.
import { render } from 'ink-testing-library';
import { afterEach, vi } from 'vitest';
import { Root } from '../../../src/tui/app/root.js';
import type { ScreenId } from '../../../src/tui/app/reducer.js';
import type { StationClient } from '../../../src/tui/client/station-client.js';
import { FirstLoadsContext, type FirstLoads } from '../../../src/tui/hooks/first-loads.js';
import { makeTheme } from '../../../src/tui/theme.js';
import { watchStderr } from './react-warnings.js';

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  esc: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlS: '\u0013',
  ctrlU: '\u0015',
} as const;

export interface Screen {
  frame(): string;
  /** Every frame drawn so far, the first first. */
  frames(): string[];
  /** Sends keys (one write per key, as a terminal does) and waits a tick. */
  press(...keys: string[]): Promise<void>;
  /** Types text as one write (like a paste). */
  type(text: string): Promise<void>;
  /** Polls the frame until `check` holds; fails with the last frame after `timeoutMs`. */
  waitFor(check: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): void;
  unmount(): void;
}

const tick = (ms = 10): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function renderTui(
  client: StationClient,
  options: { screen?: ScreenId; columns?: number; rows?: number; color?: boolean; firstLoads?: FirstLoads } = {},
): Promise<Screen> {
  const instance = render(
    <FirstLoadsContext.Provider value={options.firstLoads}>
      <Root
        client={client}
        theme={makeTheme(options.color ?? false)}
        environment="default"
        {...(options.screen === undefined ? {} : { screen: options.screen })}
      />
    </FirstLoadsContext.Provider>,
  );
  watchStderr(instance.stderr);
  const stdout = instance.stdout as unknown as NodeJS.EventEmitter & { columns: number; rows: number };
  const setSize = (columns: number, rows: number): void => {
    Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  };
  if (options.columns !== undefined || options.rows !== undefined) {
    setSize(options.columns ?? 100, options.rows ?? 24);
    stdout.emit('resize');
  }
  await tick(50);
  const frame = (): string => instance.lastFrame() ?? '';
  return {
    frame,
    frames: () => [...instance.frames],
    press: async (...keys) => {
      for (const key of keys) {
        instance.stdin.write(key);
        await tick(20);
      }
    },
    type: async (text) => {
      instance.stdin.write(text);
      await tick(20);
    },
    waitFor: (check, timeoutMs = 30_000) => {
      const test =
        typeof check === 'string'
          ? (f: string) => f.includes(check)
          : check instanceof RegExp
            ? (f: string) => check.test(f)
            : check;
      return vi.waitFor(
        () => {
          const f = frame();
          if (!test(f)) throw new Error(`timed out waiting for ${String(check)}; last frame:\n${f}`);
          return f;
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    resize: (columns, rows) => {
      setSize(columns, rows);
      stdout.emit('resize');
    },
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}

/** For a describe block: renders the TUI on a client and unmounts it after each test. */
export function screenPerTest(): {
  show(client: StationClient, options?: Parameters<typeof renderTui>[1]): Promise<Screen>;
} {
  let screen: Screen | undefined;
  afterEach(() => {
    screen?.unmount();
    screen = undefined;
  });
  return { show: async (client, options) => (screen = await renderTui(client, options)) };
}
