import { useEffect, type Dispatch } from 'react';
import type { EventPageQuery, StationClient } from '../client/station-client.js';
import { TRACE_PAGE, traceNeeds, type TraceAction, type TraceLoad, type TraceState } from '../state/trace-state.js';

/**
 * Feeds the trace window from the store: the tail when a run is opened (or End pressed), the head when
 * Home is pressed (both one query by seq, however long the run), older pages as the cursor nears the top of
 * the window, newer ones as it nears the bottom. Only one request is in flight at a time.
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
    const query = pageQuery(need, minSeq, maxSeq);
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

/** The store query for a load: each seeks by seq (`seq > after`, `seq < before`, the last ones), never a scan. */
function pageQuery(need: TraceLoad, minSeq: number, maxSeq: number): EventPageQuery {
  switch (need) {
    case 'tail':
      return { tail: true, limit: TRACE_PAGE };
    case 'head':
      return { after: 0, limit: TRACE_PAGE };
    case 'older':
      return { before: minSeq, limit: TRACE_PAGE };
    case 'newer':
      return { after: maxSeq, limit: TRACE_PAGE };
  }
}
