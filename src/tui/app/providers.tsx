import type { ReactNode } from 'react';
import { FirstLoadsContext, type FirstLoads } from '../hooks/first-loads.js';
import { KeyRouterContext, type KeyRouter } from '../hooks/use-keys.js';

/**
 * What every pane reads from context: the key router its `useKeys` handlers register with, and the loads
 * started before the first frame (useAsync takes them). (The client, theme and state go down as props, so
 * screens stay plain functions of their inputs.)
 */
export function Providers({
  router,
  firstLoads,
  children,
}: {
  router: KeyRouter;
  firstLoads: FirstLoads | undefined;
  children: ReactNode;
}): ReactNode {
  return (
    <FirstLoadsContext.Provider value={firstLoads}>
      <KeyRouterContext.Provider value={router}>{children}</KeyRouterContext.Provider>
    </FirstLoadsContext.Provider>
  );
}
