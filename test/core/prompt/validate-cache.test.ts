import { describe, expect, it } from 'vitest';
import { InputValidatorCache, parseAgentFile, validateAgentInput, ValidationError } from '../../../src/core/index.js';

const agent = parseAgentFile(
  '/x/count.prompt',
  '---\nmetadata:\n  name: count\ninput:\n  schema:\n    userInput: string\n    count: integer, how many\n---\nCount to {{count}}.\n',
);

describe('InputValidatorCache', () => {
  it('compiles a schema once and gives the same answers as a fresh validation', () => {
    const cache = new InputValidatorCache();
    expect(cache.get(agent.inputSchema)).toBe(cache.get(agent.inputSchema));
    expect(cache.get(structuredClone(agent.inputSchema))).toBe(cache.get(agent.inputSchema));
    expect(validateAgentInput(agent, { userInput: 'x', count: 3 }, cache)).toEqual({ userInput: 'x', count: 3 });
    expect(() => validateAgentInput(agent, { userInput: 'x', count: 'three' }, cache)).toThrow(ValidationError);
    expect(() => validateAgentInput(agent, { userInput: 'x', count: 'three' })).toThrow(/count/);
  });

  it('keeps at most its bound, dropping the oldest', () => {
    const cache = new InputValidatorCache(2);
    const a = cache.get({ type: 'object', properties: { a: { type: 'string' } } });
    cache.get({ type: 'object', properties: { b: { type: 'string' } } });
    cache.get({ type: 'object', properties: { c: { type: 'string' } } });
    expect(cache.get({ type: 'object', properties: { a: { type: 'string' } } })).not.toBe(a);
  });
});
