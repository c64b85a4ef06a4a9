import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../client/errors.js';
import { useFirstLoad } from './first-loads.js';

export interface AsyncData<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

interface Loaded<T> {
  key: string;
  generation: number;
  data: T | undefined;
  error: string | null;
}

/**
 * Loads data from the client when `key` changes (or on reload). A newer load wins over an older one that
 * finishes late; on reload the last data stays shown until the new data arrives. While `ready` is false
 * nothing is loaded yet (loading stays true): a screen loads what it shows first before what adds to it.
 * A load of `key` started before the first frame (FirstLoads) is used instead of asking again: its data is
 * in the first frame when it has answered by then.
 */
export function useAsync<T>(load: () => Promise<T>, key: string, ready = true): AsyncData<T> {
  const first = useFirstLoad<T>(key);
  const [generation, setGeneration] = useState(0);
  const [loaded, setLoaded] = useState<Loaded<T> | null>(() =>
    first.shown === undefined ? null : { key, generation: 0, data: first.shown.data, error: null },
  );
  useEffect(() => {
    if (!ready) return;
    const early = generation === 0 ? first.take(key) : undefined;
    // Its answer is in the first frame already.
    if (early !== undefined && first.shown !== undefined) return;
    let current = true;
    (early?.promise ?? load()).then(
      (data) => {
        if (current) setLoaded({ key, generation, data, error: null });
      },
      (error: unknown) => {
        if (current)
          setLoaded((previous) => ({
            key,
            generation,
            data: previous?.key === key ? previous.data : undefined,
            error: errorText(error),
          }));
      },
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure each render; `key` says when what it loads changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, generation, ready]);
  const reload = useCallback(() => {
    setGeneration((g) => g + 1);
  }, []);
  const same = loaded?.key === key;
  return {
    data: same ? loaded.data : undefined,
    error: same ? loaded.error : null,
    loading: !same || loaded.generation !== generation,
    reload,
  };
}
