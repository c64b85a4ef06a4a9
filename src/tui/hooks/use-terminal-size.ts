import { useStdout } from 'ink';
import { useEffect } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

/** The terminal's size now (80x24 when the stream does not say). */
export function readSize(stream: { columns?: number; rows?: number }): Size {
  return {
    columns: stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80,
    rows: stream.rows !== undefined && stream.rows > 0 ? stream.rows : 24,
  };
}

/** Calls `onResize` with the new size whenever the terminal is resized. */
export function useTerminalResize(onResize: (size: Size) => void): void {
  const { stdout } = useStdout();
  useEffect(() => {
    const listener = (): void => {
      onResize(readSize(stdout));
    };
    listener();
    stdout.on('resize', listener);
    return () => {
      stdout.off('resize', listener);
    };
  }, [stdout, onResize]);
}

/** The smallest terminal the layout is made for; below it the app says so instead of drawing a broken frame. */
export const MIN_SIZE: Size = { columns: 80, rows: 24 };

/** "terminal too small (need 80x24, have 79x20)" when the terminal is smaller than MIN_SIZE, else null. */
export function tooSmallMessage(size: Size): string | null {
  if (size.columns >= MIN_SIZE.columns && size.rows >= MIN_SIZE.rows) return null;
  return `terminal too small (need ${String(MIN_SIZE.columns)}x${String(MIN_SIZE.rows)}, have ${String(size.columns)}x${String(size.rows)})`;
}
