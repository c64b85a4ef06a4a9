import { useInput, type Key } from 'ink';
import { useCallback, useLayoutEffect, useRef } from 'react';

/**
 * Ink's `useInput(handler, {isActive})` with a handler that is always the latest one: the handler is
 * swapped at commit (layout effect), not after the frame (passive effect), so a key typed right after
 * another (j then enter, / then text) is handled with the state the first key produced.
 */
export function useKeys(handler: (input: string, key: Key) => void, options: { isActive: boolean }): void {
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  const stable = useCallback((input: string, key: Key) => {
    latest.current(input, key);
  }, []);
  useInput(stable, options);
}
