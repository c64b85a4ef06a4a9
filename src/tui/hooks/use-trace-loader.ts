import { useEffect, type Dispatch } from 'react';
import type { StationClient } from '../client/station-client.js';
import { TRACE_PAGE, traceNeeds, type TraceAction, type TraceState } from '../state/trace-state.js';

/**
 * Feeds the trace window from the store: the tail when a run is opened, older pages as the cursor nears
 * the top of the window, newer ones as it nears the bottom. Only one request is in flight at a time.
 */
export function useTraceLoader(
  client: StationClient,
  trace: TraceState,
  dispatch: Dispatch<TraceAction>,
  height: number,
): void {
  const need = traceNeeds(trace, height);
  const { runId, minSeq, maxSeq } = trace;
  useEffect(() => {
    if (need === null || runId === null) return;
    dispatch({ type: 'loading', what: need });
    const query =
      need === 'tail'
        ? { tail: true, limit: TRACE_PAGE }
        : need === 'older'
          ? { before: minSeq, limit: TRACE_PAGE }
          : { after: maxSeq, limit: TRACE_PAGE };
    client.runEvents(runId, query).then(
      (page) => {
        dispatch({ type: 'page', runId, what: need, page, height });
      },
      () => {
        dispatch({ type: 'load-failed' });
      },
    );
  }, [client, dispatch, need, runId, minSeq, maxSeq, height]);
}
