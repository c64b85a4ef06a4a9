import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/core/security/redact-url.js';

describe('redactUrl', () => {
  it('hides a password and keeps the user name', () => {
    expect(redactUrl('postgres://station:hunter2@127.0.0.1:1/station')).toBe(
      'postgres://station:***@127.0.0.1:1/station',
    );
    expect(redactUrl('https://ci:hunter2@git.example.com/envs.git')).toBe('https://ci:***@git.example.com/envs.git');
    expect(redactUrl('https://u:p@ss@host/x')).toBe('https://u:***@host/x');
  });

  it('hides a user name on its own (a token), except the role of a postgres:// URL', () => {
    expect(redactUrl('https://ghp_token@github.com/org/envs.git')).toBe('https://***@github.com/org/envs.git');
    expect(redactUrl('https://sk_live_x:@api.example.com/mcp')).toBe('https://***@api.example.com/mcp');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(redactUrl('postgresql://station@db/station')).toBe('postgresql://station@db/station');
  });

  it('hides the values of query parameters and the fragment', () => {
    expect(redactUrl('https://mcp.example.com/sse?api_key=abc&flag&empty=#access_token=x')).toBe(
      'https://mcp.example.com/sse?api_key=***&flag&empty=#***',
    );
    expect(redactUrl('postgres://u:pw@db/s?sslmode=require&password=pw')).toBe(
      'postgres://u:***@db/s?sslmode=***&password=***',
    );
  });

  it('keeps a URL without secrets as written, and text without URLs as it is', () => {
    expect(redactUrl('http://127.0.0.1:8080/mcp')).toBe('http://127.0.0.1:8080/mcp');
    expect(redactUrl('HTTPS://Example.COM')).toBe('HTTPS://Example.COM');
    expect(redactUrl('localhost:3000/mcp')).toBe('localhost:3000/mcp');
    expect(redactUrl('')).toBe('');
  });

  it('redacts every URL in text, and URLs that do not parse', () => {
    expect(redactUrl("fatal: unable to access 'https://ci:hunter2@git.example.com/envs.git/': 403")).toBe(
      "fatal: unable to access 'https://ci:***@git.example.com/envs.git/': 403",
    );
    expect(redactUrl('from https://a:1@x/ and ws://tok@y/z')).toBe('from https://a:***@x/ and ws://***@y/z');
    expect(redactUrl('postgres://u:secret@host:notaport/db')).toBe('postgres://u:***@host:notaport/db');
    expect(redactUrl('//user:secret@host/x')).toBe('//user:***@host/x');
  });
});
