import { describe, expect, it } from 'vitest';
import { makeRedactor, redactDeep, secretLabel } from '../../../src/core/mcp/redactor.js';

describe('makeRedactor', () => {
  it('replaces each secret by its label, also escaped in JSON text and percent-encoded in a URL', () => {
    const redact = makeRedactor([
      { value: 'p"ss\\word-1', label: secretLabel('DB_PASSWORD') },
      { value: 'tok en/123', label: secretLabel('API_TOKEN') },
    ]);
    expect(redact('login p"ss\\word-1 failed')).toBe('login [secret:DB_PASSWORD] failed');
    expect(redact(JSON.stringify({ error: 'bad p"ss\\word-1' }))).toBe('{"error":"bad [secret:DB_PASSWORD]"}');
    expect(redact('GET /api?token=tok%20en%2F123 401')).toBe('GET /api?token=[secret:API_TOKEN] 401');
    expect(redact('nothing here')).toBe('nothing here');
  });

  it('masks the longest value first and never scans a label again', () => {
    const redact = makeRedactor([
      { value: 'abcd', label: secretLabel('SHORT') },
      { value: 'abcdefgh', label: secretLabel('LONG') },
      // A value that happens to appear in another secret's label.
      { value: 'secret', label: secretLabel('WORD') },
    ]);
    expect(redact('abcdefgh abcd')).toBe('[secret:LONG] [secret:SHORT]');
    expect(redact('a secret abcdefgh')).toBe('a [secret:WORD] [secret:LONG]');
  });

  it('leaves values shorter than 4 characters alone', () => {
    expect(makeRedactor([{ value: 'abc', label: '[secret:X]' }])('abc')).toBe('abc');
  });
});

describe('redactDeep', () => {
  it('masks every string of a JSON-like value, object keys included, and keeps the rest', () => {
    const redact = makeRedactor([{ value: 'sk-live-42', label: secretLabel('OPENAI_API_KEY') }]);
    const value = {
      n: 3,
      ok: true,
      none: null,
      list: ['x sk-live-42', { 'sk-live-42': 'sk-live-42' }],
    };
    expect(redactDeep(value, redact)).toEqual({
      n: 3,
      ok: true,
      none: null,
      list: ['x [secret:OPENAI_API_KEY]', { '[secret:OPENAI_API_KEY]': '[secret:OPENAI_API_KEY]' }],
    });
  });

  it('gives back what holds no secret as it is, and copies the path to a secret without changing the input', () => {
    const redact = makeRedactor([{ value: 'sk-live-42', label: secretLabel('OPENAI_API_KEY') }]);
    const clean = { a: [1, 'two', { three: 'four' }], b: { c: null } };
    expect(redactDeep(clean, redact)).toBe(clean);
    const input = { keep: { x: 1 }, list: ['fine', { token: 'sk-live-42' }], after: 'ok' };
    const before = structuredClone(input);
    const out = redactDeep(input, redact);
    expect(out).toEqual({ keep: { x: 1 }, list: ['fine', { token: '[secret:OPENAI_API_KEY]' }], after: 'ok' });
    expect(input).toEqual(before);
    expect(out.keep).toBe(input.keep);
    expect(Object.keys(out)).toEqual(['keep', 'list', 'after']);
  });

  it('keeps a `__proto__` key of parsed JSON as a key, masked or not', () => {
    const redact = makeRedactor([{ value: 'sk-live-42', label: secretLabel('OPENAI_API_KEY') }]);
    const value = JSON.parse('{"__proto__": {"polluted": "sk-live-42"}, "z": 1}') as Record<string, unknown>;
    const out = redactDeep(value, redact);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'z']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"[secret:OPENAI_API_KEY]"},"z":1}');
  });
});
