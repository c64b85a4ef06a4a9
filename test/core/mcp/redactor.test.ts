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
});
