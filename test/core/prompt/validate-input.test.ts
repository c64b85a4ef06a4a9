import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { coerceInputValues, parseAgentFile, validateAgentInput } from '../../../src/core/prompt/index.js';

const pico = parseAgentFile(
  '/e/agents/p.prompt',
  '---\ninput:\n  schema:\n    userInput: string\n    repo: string, the repository\n    depth?: integer\n    mode(enum): [fast, deep]\n  default:\n    mode: fast\n---\nx',
);
const json = parseAgentFile(
  '/e/agents/j.prompt',
  '---\ninput:\n  schema:\n    type: object\n    properties:\n      count: {type: integer, minimum: 1}\n      flags: {type: array, items: {type: string}}\n    required: [count]\n---\nx',
);
const none = parseAgentFile('/e/agents/n.prompt', 'Body only');

function issues(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validateAgentInput', () => {
  it('accepts good input and fills defaults', () => {
    expect(validateAgentInput(pico, { userInput: 'go', repo: 'r' })).toEqual({
      userInput: 'go',
      repo: 'r',
      mode: 'fast',
    });
    expect(validateAgentInput(pico, { userInput: 'go', repo: 'r', depth: null, mode: 'deep' })).toMatchObject({
      mode: 'deep',
    });
    expect(validateAgentInput(json, { count: 2, userInput: 'always accepted' })).toEqual({
      count: 2,
      userInput: 'always accepted',
    });
    expect(validateAgentInput(none, { userInput: 'x', anything: 1 })).toEqual({ userInput: 'x', anything: 1 });
  });

  it('names each bad field and what was expected (Picoschema)', () => {
    expect(issues(() => validateAgentInput(pico, { depth: 'ten', mode: 'slow', extra: 1 }))).toEqual([
      { field: 'userInput', message: 'is required' },
      { field: 'repo', message: 'is required (the repository)' },
      { field: 'extra', message: 'is not an input of this agent (inputs: userInput, repo, depth, mode)' },
      { field: 'depth', message: 'expected integer (or nothing), got string "ten"' },
      { field: 'mode', message: 'expected one of "fast", "deep", got string "slow"' },
    ]);
  });

  it('names each bad field and what was expected (JSON Schema)', () => {
    const list = issues(() => validateAgentInput(json, { count: 0, flags: ['a', 2], userInput: 5 }));
    expect(list).toEqual([
      { field: 'userInput', message: 'expected string, got number 5' },
      { field: 'count', message: 'must be >= 1' },
      { field: 'flags.1', message: 'expected string, got number 2' },
    ]);
    const error = (() => {
      try {
        validateAgentInput(json, {});
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(error?.message).toBe('input for agent "j" is invalid: count: is required');
    expect(error?.exitCode).toBe(5);
  });

  it('coerces --var strings by the schema', () => {
    expect(coerceInputValues(json, { count: '3', flags: '["a"]', other: '7' })).toEqual({
      count: 3,
      flags: ['a'],
      other: '7',
    });
    expect(coerceInputValues(pico, { depth: 'x', repo: '12' })).toEqual({ depth: 'x', repo: '12' });
  });
});
