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
