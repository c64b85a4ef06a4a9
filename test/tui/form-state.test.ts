import { describe, expect, it } from 'vitest';
import { formFromSchema, formInput, formReducer, type FormState } from '../../src/tui/state/form-state.js';

const schema = {
  type: 'object',
  properties: {
    path: { type: 'string', description: 'Folder to look at' },
    depth: { type: 'integer', default: 2 },
    verbose: { type: 'boolean' },
    tags: { type: 'array' },
    mode: { type: 'string', enum: ['fast', 'slow'] },
  },
  required: ['path'],
};

function typed(state: FormState, values: Record<string, string>): FormState {
  let s = state;
  for (const [name, value] of Object.entries(values)) {
    const index = s.fields.findIndex((f) => f.name === name);
    while (s.focus !== index) s = formReducer(s, { type: 'focus', delta: 1 });
    s = formReducer(s, { type: 'set', value });
  }
  return s;
}

describe('run form', () => {
  it('has one field per property (userInput first when the schema lacks it), with types and defaults', () => {
    const form = formFromSchema(schema);
    expect(form.fields.map((f) => `${f.name}:${f.type}${f.required ? '*' : ''}`)).toEqual([
      'userInput:string',
      'path:string*',
      'depth:integer',
      'verbose:boolean',
      'tags:json',
      'mode:string',
    ]);
    expect(form.fields.find((f) => f.name === 'depth')?.value).toBe('2');
    expect(form.fields.find((f) => f.name === 'mode')?.choices).toEqual(['fast', 'slow']);
    expect(formFromSchema({ properties: { userInput: { type: 'string' } } }).fields).toHaveLength(1);
  });

  it('converts what was typed into typed input, leaving empty optional fields out', () => {
    const form = typed(formFromSchema(schema), { path: '/tmp', verbose: 'yes', tags: '["a"]' });
    expect(formInput(form)).toEqual({ ok: true, input: { path: '/tmp', depth: 2, verbose: true, tags: ['a'] } });
  });

  it('names each field it cannot parse, and a missing required one', () => {
    const form = typed(formFromSchema(schema), { depth: '2.5', verbose: 'maybe', tags: '[oops' });
    const result = formInput(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors).sort()).toEqual(['depth', 'path', 'tags', 'verbose']);
    expect(result.fieldErrors.path).toBe('a value is required');
    expect(result.fieldErrors.depth).toBe('expected a whole number, got "2.5"');
  });

  it('shows the core field errors next to their fields and focuses the first bad one', () => {
    let form = formFromSchema(schema);
    form = formReducer(form, { type: 'submitting' });
    form = formReducer(form, {
      type: 'failed',
      error: 'input is invalid',
      fieldErrors: { 'input.mode': 'must be one of fast, slow' },
    });
    expect(form.submitting).toBe(false);
    expect(form.error).toBe('input is invalid');
    expect(form.fields[form.focus]?.name).toBe('mode');
    expect(form.fields.find((f) => f.name === 'mode')?.error).toBe('must be one of fast, slow');
    form = formReducer(form, { type: 'set', value: 'fast' });
    expect(form.fields.find((f) => f.name === 'mode')?.error).toBeNull();
  });

  it('focus wraps around', () => {
    const form = formReducer(formFromSchema(schema), { type: 'focus', delta: -1 });
    expect(form.fields[form.focus]?.name).toBe('mode');
  });
});
