import type { Engine } from '../../../src/core/index.js';
import { scriptedRun } from './events.js';

/**
 * Records a finished run of `toolSteps` tool calls straight into the store (4 events per step, plus 6),
 * as a long run of another process would have left it. Returns its id and event count.
 */
export function recordBigRun(engine: Engine, toolSteps: number): { runId: number; events: number } {
  const repo = engine.runs.repo;
  const runId = repo.insertQueued({
    agentName: 'lister',
    environmentName: 'default',
    input: { path: '/x' },
    model: 'test-model',
    pid: 1,
    now: Date.now(),
  });
  const events = scriptedRun(runId, toolSteps);
  const finished = events.pop()!;
  engine.db.transaction(() => {
    for (const e of events)
      repo.appendEvent({ runId, seq: e.seq, type: e.type, ts: Date.parse(e.ts), dataJson: JSON.stringify(e.data) });
  })();
  if (finished.type !== 'run.finished') throw new Error('the scripted run ends with run.finished');
  const d = finished.data;
  repo.finishWithEvent(
    runId,
    {
      status: d.status,
      stopReason: d.stopReason,
      output: d.output,
      error: null,
      steps: d.steps,
      toolCalls: d.toolCalls,
      tokens: d.tokens,
      finishedAt: Date.now(),
      durationMs: d.durationMs,
    },
    { runId, seq: finished.seq, type: 'run.finished', ts: Date.parse(finished.ts), dataJson: JSON.stringify(d) },
  );
  return { runId, events: events.length + 1 };
}
