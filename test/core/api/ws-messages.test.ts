import { describe, expect, it } from 'vitest';
import { isControlMessage, parseWsClientMessage, type WsServerMessage } from '../../../src/core/index.js';

describe('WebSocket client messages', () => {
  it('reads subscribe, unsubscribe and ping into typed messages', () => {
    expect(parseWsClientMessage({ type: 'ping' })).toEqual({ type: 'ping' });
    expect(parseWsClientMessage({ type: 'unsubscribe', id: 'a' })).toEqual({ type: 'unsubscribe', id: 'a' });
    expect(parseWsClientMessage({ type: 'subscribe' })).toEqual({ type: 'subscribe', scope: 'all' });
    expect(parseWsClientMessage({ type: 'subscribe', id: 'x'.repeat(100), scope: 'all', resume: { 7: 3 } })).toEqual({
      type: 'subscribe',
      id: 'x'.repeat(64),
      scope: 'all',
      resume: { 7: 3 },
    });
    expect(parseWsClientMessage({ type: 'subscribe', id: 'e', scope: 'environment', environment: 'dev' })).toEqual({
      type: 'subscribe',
      id: 'e',
      scope: 'environment',
      environment: 'dev',
    });
    expect(parseWsClientMessage({ type: 'subscribe', id: 'r', scope: 'run', runId: 4, afterSeq: 0 })).toEqual({
      type: 'subscribe',
      id: 'r',
      scope: 'run',
      runId: 4,
      afterSeq: 0,
    });
  });

  it('says what is wrong with a message it cannot take, with the subscription id when given', () => {
    expect(parseWsClientMessage([1])).toEqual({ code: 'bad_message', message: 'expected an object with a "type"' });
    expect(parseWsClientMessage({ type: 'hello' })).toMatchObject({
      code: 'bad_message',
      message: /unknown message type "hello"/,
    });
    expect(parseWsClientMessage({ type: 'subscribe', id: 'r', scope: 'run', runId: 0 })).toEqual({
      code: 'invalid',
      message: 'scope "run" needs "runId": a positive integer',
      id: 'r',
    });
    expect(parseWsClientMessage({ type: 'subscribe', scope: 'run', runId: 2, afterSeq: -1 })).toMatchObject({
      code: 'invalid',
      message: '"afterSeq" must be an integer >= 0',
    });
    expect(parseWsClientMessage({ type: 'subscribe', scope: 'environment' })).toMatchObject({ code: 'invalid' });
    expect(parseWsClientMessage({ type: 'subscribe', scope: 'team' })).toMatchObject({ code: 'invalid' });
    expect(parseWsClientMessage({ type: 'subscribe', resume: { abc: 1 } })).toMatchObject({
      code: 'invalid',
      message: '"resume.abc" must be a seq (integer >= 0) under a run id',
    });
    expect(parseWsClientMessage({ type: 'subscribe', resume: [] })).toMatchObject({ code: 'invalid' });
  });

  it('tells control messages from run events by their ws. prefix', () => {
    const pong: WsServerMessage = { type: 'ws.pong' };
    const event = { type: 'run.queued', runId: 1, seq: 1, ts: 'now', data: {} } as unknown as WsServerMessage;
    expect(isControlMessage(pong)).toBe(true);
    expect(isControlMessage(event)).toBe(false);
  });
});
