import { useEffect, useRef } from 'react';
import type { StationClient } from '../client/station-client.js';
import { Coalescer, type UpdateBatch } from './coalescer.js';

/** Subscribes to the client's live updates and delivers them in coalesced batches (~50 ms). */
export function useClientUpdates(client: StationClient, onBatch: (batch: UpdateBatch) => void, intervalMs = 50): void {
  const handler = useRef(onBatch);
  useEffect(() => {
    handler.current = onBatch;
  }, [onBatch]);
  useEffect(() => {
    const coalescer = new Coalescer((batch) => {
      handler.current(batch);
    }, intervalMs);
    const unsubscribe = client.subscribe((update) => {
      coalescer.push(update);
    });
    return () => {
      unsubscribe();
      coalescer.stop();
    };
  }, [client, intervalMs]);
}
