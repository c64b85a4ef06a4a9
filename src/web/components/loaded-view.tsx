import type { ReactNode } from 'react';
import type { Loaded } from '../hooks.js';
import { ErrorBox } from './error-box.js';

/** What a load shows: its error if any, "Loading …" until the first answer, then `children` with the data. */
export function LoadedView<T>({
  state,
  what,
  children,
}: {
  state: Loaded<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      {state.error !== undefined && <ErrorBox error={state.error} />}
      {state.data !== undefined ? (
        children(state.data)
      ) : state.error === undefined ? (
        <p className="loading">Loading {what}…</p>
      ) : null}
    </>
  );
}
