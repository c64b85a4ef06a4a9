import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { RunEvent } from '../../../src/core/events/run-events.js';
import { logRunEvents } from '../../../src/core/runner/run-log.js';
import { createLogger, resolveLogSettings } from '../../../src/core/server/logger.js';

const KEY = `stn_0123456789ab_${'A'.repeat(43)}`;
const CLOCK = (): number => Date.parse('2026-12-07T08:00:01.250Z');

function capture(options: Parameters<typeof createLogger>[0] = {}): {
  lines: string[];
  log: ReturnType<typeof createLogger>;
} {
  const lines: string[] = [];
  return { lines, log: createLogger({ clock: CLOCK, write: (l) => lines.push(l), ...options }) };
}

describe('logger', () => {
  it('writes one JSON object per line with time, level, message, the child fields and the line fields', () => {
    const { lines, log } = capture();
    log.child({ requestId: 'req-1' }).info('request', { status: 200 });
    expect(lines).toEqual([
      '{"ts":"2026-12-07T08:00:01.250Z","level":"info","msg":"request","requestId":"req-1","status":200}\n',
    ]);
  });

  it('writes text lines for a terminal: time, level, message, then key=value (quoted when needed)', () => {
    const { lines, log } = capture({ format: 'text' });
    log.warn('run finished', { runId: 7, environment: 'default', error: 'model said no', usage: { input: 3 } });
    expect(lines).toEqual([
      '08:00:01.250 WARN  run finished runId=7 environment=default error="model said no" usage="{\\"input\\":3}"\n',
    ]);
  });

  it('drops lines under the least level', () => {
    const { lines, log } = capture({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e']);
  });

  it('redacts secrets by field name and key-shaped text, in JSON and in text', () => {
    for (const format of ['json', 'text'] as const) {
      const { lines, log } = capture({ format });
      log.error(`refused ${KEY}`, {
        authorization: 'Bearer abc',
        apiKey: 'sk-1',
        nested: { password: 'hunter2', header: 'Bearer sk-live-999' },
      });
      const line = lines.join('');
      expect(line).not.toContain(KEY);
      expect(line).not.toContain('hunter2');
      expect(line).not.toContain('sk-1');
      expect(line).not.toContain('sk-live-999');
      expect(line).toContain('[redacted]');
    }
  });

  it('keeps the labels secrets were already replaced by', () => {
    const { lines, log } = capture({ format: 'text' });
    log.error('refused (Authorization: Bearer [secret:OPENAI_API_KEY])');
    expect(lines[0]).toContain('Bearer [secret:OPENAI_API_KEY]');
  });
});

describe('resolveLogSettings', () => {
  it('text on a terminal, JSON lines when stderr is a file or a pipe, at the default level', () => {
    expect(resolveLogSettings({ env: {}, stderrIsTTY: true })).toEqual({ format: 'text', level: 'info' });
    expect(resolveLogSettings({ env: {}, stderrIsTTY: false, defaultLevel: 'warn' })).toEqual({
      format: 'json',
      level: 'warn',
    });
  });

  it('the flags win over STATION_LOG_FORMAT and STATION_LOG_LEVEL, which win over the defaults', () => {
    const env = { STATION_LOG_FORMAT: 'JSON', STATION_LOG_LEVEL: 'debug' };
    expect(resolveLogSettings({ env, stderrIsTTY: true })).toEqual({ format: 'json', level: 'debug' });
    expect(resolveLogSettings({ env, stderrIsTTY: true, format: 'text', level: 'error' })).toEqual({
      format: 'text',
      level: 'error',
    });
    expect(resolveLogSettings({ env: { STATION_LOG_FORMAT: '' }, stderrIsTTY: false }).format).toBe('json');
  });

  it('a bad value in the environment is a usage error naming the variable and the values it takes', () => {
    let error: unknown;
    try {
      resolveLogSettings({ env: { STATION_LOG_LEVEL: 'verbose' }, stderrIsTTY: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      'STATION_LOG_LEVEL must be one of debug, info, warn, error, got "verbose"',
    );
  });
});

describe('logRunEvents', () => {
  const ts = '2026-12-07T08:00:00.000Z';
  const events: RunEvent[] = [
    {
      runId: 4,
      seq: 1,
      type: 'run.started',
      ts,
      data: {
        agent: 'hello',
        environment: 'prod',
        model: 'm',
        maxSteps: 3,
        timeoutMs: 1000,
        pid: 1,
        messages: [{ role: 'user', content: 'the prompt holds a secret' }],
      },
    },
    {
      runId: 4,
      seq: 2,
      type: 'tool.finished',
      ts,
      data: {
        step: 1,
        callId: 'c1',
        tool: 'fs__read',
        server: 'fs',
        name: 'read',
        durationMs: 5,
        isError: true,
        error: 'no such file',
        result: 'the result text',
        bytes: 15,
        truncated: false,
      },
    },
    {
      runId: 4,
      seq: 3,
      type: 'run.finished',
      ts,
      data: {
        status: 'failed',
        stopReason: 'error',
        output: 'the answer',
        error: { code: 'model', message: 'boom' },
        steps: 1,
        toolCalls: 1,
        tokens: { input: 10, output: 2, total: 12 },
        durationMs: 40,
      },
    },
  ];

  it('logs the steps of each run with its run id, agent and environment; never prompts, answers or results', () => {
    const bus = new EventBus();
    const { lines, log } = capture({ level: 'info' });
    const stop = logRunEvents(bus, log);
    for (const event of events) bus.publish(event);
    stop();
    bus.publish(events[0]!);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ level: 'info', msg: 'run started', runId: 4, agent: 'hello', environment: 'prod' }),
      expect.objectContaining({
        level: 'warn',
        msg: 'tool call failed',
        runId: 4,
        environment: 'prod',
        tool: 'fs__read',
        error: 'no such file',
      }),
      expect.objectContaining({
        level: 'warn',
        msg: 'run finished',
        runId: 4,
        environment: 'prod',
        status: 'failed',
        usage: { input: 10, output: 2, total: 12 },
      }),
    ]);
    const all = lines.join('');
    for (const text of ['the prompt holds a secret', 'the result text', 'the answer']) expect(all).not.toContain(text);
  });
});
