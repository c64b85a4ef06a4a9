import { picoschema } from 'dotprompt';
import { describe, expect, it } from 'vitest';
import { PicoschemaError, picoschemaToJsonSchema } from '../../../src/core/prompt/index.js';

const SAMPLES: unknown[] = [
  'string',
  'number, a count',
  { userInput: 'string' },
  { 'name?': 'string, who', 'tags(array, labels)': 'string', 'meta?(object)': { a: 'integer', 'b?': 'boolean' } },
  { 'color(enum, pick one)': ['red', 'green'], 'size?(enum)': ['s', 'm'], '(*)': 'number' },
  { anything: 'any', 'nothing?': 'any, whatever' },
  { type: 'object', properties: { a: { type: 'string' } } },
  { properties: { a: { type: 'string' } } },
];

describe('picoschemaToJsonSchema (synchronous) matches dotprompt picoschema()', () => {
  for (const sample of SAMPLES) {
    it(JSON.stringify(sample), async () => {
      expect(picoschemaToJsonSchema(structuredClone(sample))).toEqual(await picoschema(structuredClone(sample)));
    });
  }

  it('reports the path of a bad field', () => {
    const bad = () => picoschemaToJsonSchema({ outer: { 'inner(object)': { leaf: 'strng' } } });
    expect(bad).toThrow(PicoschemaError);
    try {
      bad();
    } catch (error) {
      expect((error as PicoschemaError).path).toEqual(['outer', 'inner(object)', 'leaf']);
    }
    expect(() => picoschemaToJsonSchema({ a: 'string(' })).toThrow(PicoschemaError);
    expect(() => picoschemaToJsonSchema({ 'a(map)': 'string' })).toThrow(/object, array or enum/);
  });

  it('resolves named types only when a resolver knows them', () => {
    expect(
      picoschemaToJsonSchema({ a: 'Foo' }, { resolve: (n) => (n === 'Foo' ? { type: 'number' } : undefined) }),
    ).toEqual({
      type: 'object',
      properties: { a: { type: 'number' } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(() => picoschemaToJsonSchema({ a: 'Foo' })).toThrow(/unknown type "Foo"/);
  });
});
