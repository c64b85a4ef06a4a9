/**
 * Wakes followers of the event table (RunFeed) when another server commits run events: every transaction that
 * writes events notifies the channel with the store's schema as payload (pg-sync-db.ts: notifyOnCommit), and a
 * listener in each process that follows runs calls `wake` at once instead of waiting for its next poll. The
 * table stays the truth: a lost notification only delays an event to the next poll.
 */
import type { Client } from 'pg';

/** The channel run events are announced on (the payload names the schema, so stores do not wake each other). */
export const RUN_EVENTS_CHANNEL = 'stn_run_events';

export interface Listener {
  close(): Promise<void>;
}

/**
 * Listens on RUN_EVENTS_CHANNEL with a connection of its own (the driver loaded on first use); `wake` is called
 * for each notification of this store's schema. A lost connection is reconnected after `retryMs`; `onError`
 * hears why.
 */
export async function listenForRunEvents(
  url: string,
  wake: () => void,
  options: { retryMs?: number; onError?: (error: unknown) => void } = {},
): Promise<Listener> {
  const { default: pg } = await import('pg');
  let client: Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'station-listener' });
    next.on('error', (error) => {
      options.onError?.(error);
      reconnect();
    });
    await next.connect();
    const schema = ((await next.query('SELECT current_schema() AS s')).rows[0] as { s: string }).s;
    next.on('notification', (message) => {
      if (message.payload === schema) wake();
    });
    await next.query(`LISTEN ${RUN_EVENTS_CHANNEL}`);
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    // Events committed while (re)connecting are read by the next poll: wake it now.
    wake();
  };
  const reconnect = (): void => {
    const old = client;
    client = undefined;
    void old?.end().catch(() => undefined);
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch((error: unknown) => {
        options.onError?.(error);
        reconnect();
      });
    }, options.retryMs ?? 1000);
    retry.unref();
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
