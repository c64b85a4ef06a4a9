import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events/event-bus.js';
import { RUN_EVENT_TYPES, isRunEventType, type RunEvent } from '../../../src/core/events/run-events.js';

function event(runId: number, seq: number, type: RunEvent['type'] = 'model.request'): RunEvent {
  return {
    runId,
    seq,
    type,
    ts: new Date(0).toISOString(),
    data: { step: seq, final: false, model: 'm', messages: 1, tools: 0 },
  } as RunEvent;
}

describe('EventBus', () => {
  it("delivers every event to subscribers and a run's events to that run's subscribers", () => {
    const bus = new EventBus();
    const all: string[] = [];
    const one: string[] = [];
    const offAll = bus.subscribe((e) => all.push(`${String(e.runId)}:${String(e.seq)}`));
    const offOne = bus.subscribeRun(2, (e) => one.push(`${String(e.runId)}:${String(e.seq)}`));
    bus.publish(event(1, 1));
    bus.publish(event(2, 1));
    bus.publish(event(2, 2));
    expect(all).toEqual(['1:1', '2:1', '2:2']);
    expect(one).toEqual(['2:1', '2:2']);
    offOne();
    offAll();
    bus.publish(event(2, 3));
    expect(all).toHaveLength(3);
    expect(bus.listenerCount).toBe(0);
  });

  it('a listener that throws does not stop the others; its error is reported', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((e) => errors.push(e));
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error('broken viewer');
    });
    bus.subscribe((e) => seen.push(e.seq));
    bus.publish(event(1, 1));
    expect(seen).toEqual([1]);
    expect((errors[0] as Error).message).toBe('broken viewer');
  });

  it('on(type) gives only events of that type', () => {
    const bus = new EventBus();
    const steps: number[] = [];
    bus.on('model.request', (e) => steps.push(e.data.step));
    bus.publish(event(1, 1, 'model.request'));
    bus.publish({
      runId: 1,
      seq: 2,
      type: 'tool.progress',
      ts: '',
      data: { step: 1, callId: 'c', progress: 1, total: null, message: null },
    });
    expect(steps).toEqual([1]);
  });
});

describe('the event schema', () => {
  it('knows its types', () => {
    expect(RUN_EVENT_TYPES).toContain('run.finished');
    expect(isRunEventType('tool.finished')).toBe(true);
    expect(isRunEventType('tool.exploded')).toBe(false);
  });
});
