import { describe, expect, it } from 'vitest';
import { fieldText, inputFields, readInput } from '../../../src/core/agents/input-form.js';

const schema = {
  type: 'object',
  properties: {
    path: { type: 'string', description: 'Folder to look at' },
    depth: { type: ['integer', 'null'], default: 2 },
    ratio: { type: 'number' },
    verbose: { type: 'boolean', default: false },
    tags: { type: 'array', default: ['a'] },
    anything: {},
    level: { type: 'integer', enum: [1, 2, 3] },
  },
  required: ['path'],
};

describe('the run form of an input schema (web UI and TUI)', () => {
  it('has one field per property with its kind, requiredness, description, default and options', () => {
    const fields = inputFields(schema);
    expect(fields.map((f) => `${f.name}:${f.kind}${f.required ? '*' : ''}`)).toEqual([
      'path:string*',
      'depth:integer',
      'ratio:number',
      'verbose:boolean',
      'tags:json',
      'anything:json',
      'level:integer',
    ]);
    expect(fields[0]?.description).toBe('Folder to look at');
    expect(fields.find((f) => f.name === 'level')?.options).toEqual(['1', '2', '3']);
    expect(fields.map((f) => fieldText(f.default))).toEqual(['', '2', '', 'false', '["a"]', '', '']);
    expect(inputFields({})).toEqual([]);
  });

  it('reads typed input from the text of each field, leaving empty optional fields out', () => {
    const text: Record<string, string> = {
      path: ' /tmp ',
      depth: ' 3',
      ratio: '0.5',
      verbose: 'yes',
      tags: '["x", 1]',
      anything: '"text"',
      level: '',
    };
    expect(readInput(inputFields(schema), (name) => text[name])).toEqual({
      ok: true,
      input: { path: ' /tmp ', depth: 3, ratio: 0.5, verbose: true, tags: ['x', 1], anything: 'text' },
    });
    expect(
      readInput(inputFields(schema), (name) => (name === 'path' ? 'p' : name === 'verbose' ? 'off' : undefined)),
    ).toEqual({ ok: true, input: { path: 'p', verbose: false } });
  });

  it('names every field it cannot read, and a missing required one', () => {
    const text: Record<string, string> = { depth: '2.5', ratio: 'abc', verbose: 'maybe', tags: '[oops' };
    const result = readInput(inputFields(schema), (name) => text[name]);
    expect(result).toEqual({
      ok: false,
      fieldErrors: {
        path: 'a value is required',
        depth: 'expected a whole number, got "2.5"',
        ratio: 'expected a number, got "abc"',
        verbose: 'expected yes or no (true, false), got "maybe"',
        tags: 'expected JSON (an object, a list, a number, "text"...), got "[oops"',
      },
    });
  });
});
