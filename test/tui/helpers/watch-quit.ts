// Tells when the TUI has quit: its root's subscription to the client ends only when the app unmounts
// (Ink's exit). The client is the real one; the wrapper only notes the unsubscribe.
import type { StationClient } from '../../../src/tui/client/station-client.js';

export function watchQuit<C extends StationClient>(real: C): { client: C; quitted: () => boolean } {
  let quitted = false;
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'subscribe') {
        return (listener: Parameters<StationClient['subscribe']>[0]) => {
          const unsubscribe = target.subscribe(listener);
          return () => {
            quitted = true;
            unsubscribe();
          };
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { client, quitted: () => quitted };
}
