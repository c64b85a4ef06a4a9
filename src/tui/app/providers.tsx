import type { ReactNode } from 'react';
import { KeyRouterContext, type KeyRouter } from '../hooks/use-keys.js';

/**
 * What every pane reads from context: the key router its `useKeys` handlers register with. (The client,
 * theme and state go down as props, so screens stay plain functions of their inputs.)
 */
export function Providers({ router, children }: { router: KeyRouter; children: ReactNode }): ReactNode {
  return <KeyRouterContext.Provider value={router}>{children}</KeyRouterContext.Provider>;
}
