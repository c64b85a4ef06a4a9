// How a run's events reach the database: a step's events are written together (with the step's next model
// request, or the run's end), nothing is published before it is stored, and a process that dies between
// two writes leaves a record that tells no lie.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/core/events/run-events.js';
import type { ProcessProbe } from '../../../src/core/runner/process-liveness.js';
import { RunRecorder } from '../../../src/core/runner/run-recorder.js';
import { RunService } from '../../../src/core/runner/run-service.js';
import { toolLoop } from '../../helpers/model-server.js';
import { makeRig, type Rig } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await makeRig();
});
afterEach(async () => {
  await rig.close();
});

/** A probe for which every other process is gone. */
function deadOthers(): ProcessProbe {
  return { pid: process.pid, startedAt: 0, alive: () => false, startTime: () => undefined };
}

describe('step recording', () => {
  it('publishes no event before it is stored, and stores every event of every step by the end of the run', async () => {
    rig.model.script(toolLoop({ tool: 'fs__list_directory', args: { path: rig.files }, steps: 4, finalText: 'done' }));
    const runner = rig.runner();
    const unstored: string[] = [];
    const seen: RunEvent[] = [];
    const handle = await runner.submit(
      { agent: 'a', environment: 'default', input: { userInput: 'go' } },
      {
        onEvent: (event) => {
          seen.push(event);
          if (rig.repo.lastSeq(event.runId) < event.seq) unstored.push(`${String(event.seq)} ${event.type}`);
        },
      },
    );
    const result = await handle.done;
    expect(result.status).toBe('completed');
    expect(unstored).toEqual([]);
    const stored = rig.repo.events(handle.runId);
    expect(stored.map((e) => [e.seq, e.type, e.data])).toEqual(seen.map((e) => [e.seq, e.type, e.data]));
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.filter((e) => e.type === 'tool.finished')).toHaveLength(4);
    const row = rig.repo.get(handle.runId);
    expect([row?.steps, row?.tool_calls]).toEqual([5, 4]);
  });

  it('writes the events staged within a step with its next emitted event, in one go', () => {
    const recorder = RunRecorder.open(rig.repo, rig.bus, {
      agentName: 'a',
      environmentName: 'default',
      input: {},
      model: 'm',
      pid: process.pid,
      now: Date.now(),
    });
    recorder.emit('run.queued', { agent: 'a', environment: 'default', input: {}, model: 'm' });
    const progress = { steps: 1, toolCalls: 1, tokens: { input: 3, output: 2, total: 5 } };
    recorder.stage('tool.started', {
      step: 1,
      callId: 'c1',
      tool: 'fs__list_directory',
      server: 'fs',
      name: 'list_directory',
      arguments: {},
    });
    recorder.stage(
      'tool.finished',
      {
        step: 1,
        callId: 'c1',
        tool: 'fs__list_directory',
        server: 'fs',
        name: 'list_directory',
        durationMs: 1,
        isError: false,
        error: null,
        result: 'x',
        bytes: 1,
        truncated: false,
      },
      progress,
    );
    // Staged: neither stored nor published yet.
    expect(rig.repo.lastSeq(recorder.runId)).toBe(1);
    expect(rig.events.map((e) => e.seq)).toEqual([1]);
    progress.steps = 99; // the recorder kept the counters as they were when staged
    recorder.emit('model.request', { step: 2, final: false, model: 'm', messages: 3, tools: 1 });
    expect(rig.repo.events(recorder.runId).map((e) => e.type)).toEqual([
      'run.queued',
      'tool.started',
      'tool.finished',
      'model.request',
    ]);
    expect(rig.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(rig.repo.get(recorder.runId)?.steps).toBe(1);
  });

  it('a process that dies with events staged leaves the run interrupted after its last stored event, counters matching', () => {
    const recorder = RunRecorder.open(rig.repo, rig.bus, {
      agentName: 'a',
      environmentName: 'default',
      input: {},
      model: 'm',
      pid: 999_999_999,
      now: Date.now(),
    });
    recorder.emit('run.queued', { agent: 'a', environment: 'default', input: {}, model: 'm' });
    rig.repo.markRunning(recorder.runId, Date.now(), 999_999_999);
    recorder.emit('model.request', { step: 1, final: false, model: 'm', messages: 2, tools: 1 });
    recorder.stage(
      'model.response',
      {
        step: 1,
        model: 'm',
        content: null,
        toolCalls: [],
        finishReason: 'tool_calls',
        usage: { input: 10, output: 5, total: 15 },
        latencyMs: 1,
        attempts: 1,
      },
      { steps: 1, toolCalls: 0, tokens: { input: 10, output: 5, total: 15 } },
    );
    // The process dies here: what it staged is gone with it, and nobody saw it.
    const published = rig.events.filter((e) => e.runId === recorder.runId).map((e) => e.seq);
    expect(published).toEqual([1, 2]);
    const runs = new RunService(rig.db, () => undefined, deadOthers());
    expect(runs.markInterrupted()).toEqual([recorder.runId]);
    const stored = rig.repo.events(recorder.runId);
    expect(stored.map((e) => `${String(e.seq)} ${e.type}`)).toEqual([
      '1 run.queued',
      '2 model.request',
      '3 run.finished',
    ]);
    const row = rig.repo.get(recorder.runId);
    expect(row?.status).toBe('interrupted');
    // No step was stored as answered: the counters say so too.
    expect([row?.steps, row?.tokens_total]).toEqual([0, 0]);
  });
});
