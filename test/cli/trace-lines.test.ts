import { describe, expect, it } from 'vitest';
import { shortArgs, traceLine } from '../../src/cli/trace-lines.js';
import type { RunEvent } from '../../src/core/index.js';

const request: RunEvent = {
  runId: 1,
  seq: 1,
  type: 'model.request',
  ts: '',
  data: { step: 1, final: false, model: 'm', messages: 1, tools: 0 },
};

describe('trace lines', () => {
  it('summarise steps, tool calls with short arguments, and the end', () => {
    const started = traceLine(
      {
        runId: 1,
        seq: 5,
        type: 'tool.started',
        ts: '',
        data: {
          step: 1,
          callId: 'c',
          tool: 'fs__read',
          server: 'fs',
          name: 'read',
          arguments: { path: '/a/very/long/path/'.repeat(10) },
        },
      },
      { argsWidth: 30 },
    );
    expect(started).toEqual({
      kind: 'call',
      ok: true,
      text: expect.stringMatching(/^fs__read \{"path":"\/a\/very\/long.{0,12}…$/),
    });
    const failed = traceLine({
      runId: 1,
      seq: 6,
      type: 'tool.finished',
      ts: '',
      data: {
        step: 1,
        callId: 'c',
        tool: 'fs__read',
        server: 'fs',
        name: 'read',
        durationMs: 12,
        isError: true,
        error: null,
        result: 'ENOENT: no such file',
        bytes: 20,
        truncated: false,
      },
    });
    expect(failed).toEqual({ kind: 'tool', ok: false, text: 'fs__read 12ms · ENOENT: no such file' });
    const end = traceLine({
      runId: 1,
      seq: 9,
      type: 'run.finished',
      ts: '',
      data: {
        status: 'completed',
        stopReason: 'max_steps',
        output: 'x',
        error: null,
        steps: 4,
        toolCalls: 3,
        tokens: { input: 1, output: 2, total: 3 },
        durationMs: 1500,
      },
    });
    expect(end).toEqual({
      kind: 'end',
      ok: true,
      text: 'completed (max steps) · 1.5s · 4 steps · 3 tool calls · 3 tokens',
    });
    const tooLarge = traceLine({
      runId: 1,
      seq: 3,
      type: 'run.finished',
      ts: '',
      data: {
        status: 'failed',
        stopReason: 'answer_too_large',
        output: null,
        error: { code: 'answer_too_large', message: 'too big' },
        steps: 1,
        toolCalls: 0,
        tokens: { input: 0, output: 0, total: 0 },
        durationMs: 1500,
      },
    });
    expect(tooLarge?.text).toMatch(/^failed \(answer too large\) · 1\.5s .*: too big$/);
    expect(traceLine(request)).toBeNull();
  });

  it('shortArgs puts arguments on one line and cuts them to the width', () => {
    expect(shortArgs({ a: 'x\n  y' }, 80)).toBe('{"a":"x\\n y"}');
    expect(shortArgs('one\n   two  three', 80)).toBe('one two three');
    expect(shortArgs('abcdefghij', 5)).toBe('abcd…');
  });
});
