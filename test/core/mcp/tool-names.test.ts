import { describe, expect, it } from 'vitest';
import {
  MODEL_TOOL_NAME,
  modelToolName,
  qualifiedToolName,
  resolveToolReference,
} from '../../../src/core/mcp/tool-names.js';

const tools = [
  { server: 'filesystem', name: 'read_text_file' },
  { server: 'filesystem', name: 'search' },
  { server: 'github', name: 'search' },
  { server: 'github', name: 'create_issue' },
];

describe('resolveToolReference', () => {
  it('resolves a qualified name server__tool', () => {
    expect(resolveToolReference('github__search', tools)).toEqual({
      ok: true,
      server: 'github',
      tool: 'search',
      qualified: 'github__search',
    });
  });

  it('resolves the original __tool form (and a bare name) when exactly one server has the tool', () => {
    expect(resolveToolReference('__read_text_file', tools)).toEqual({
      ok: true,
      server: 'filesystem',
      tool: 'read_text_file',
      qualified: 'filesystem__read_text_file',
    });
    expect(resolveToolReference('create_issue', tools)).toMatchObject({ ok: true, qualified: 'github__create_issue' });
  });

  it('reports an ambiguous __tool with the qualified choices instead of picking one', () => {
    expect(resolveToolReference('__search', tools)).toEqual({
      ok: false,
      reason: 'ambiguous',
      reference: '__search',
      choices: ['filesystem__search', 'github__search'],
    });
  });

  it('reports a missing tool', () => {
    expect(resolveToolReference('__delete_repo', tools)).toEqual({
      ok: false,
      reason: 'missing',
      reference: '__delete_repo',
      choices: [],
    });
    expect(resolveToolReference('slack__search', tools)).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('modelToolName', () => {
  it('is the qualified name when it fits ^[a-zA-Z0-9_-]{1,64}$', () => {
    expect(qualifiedToolName('github', 'create_issue')).toBe('github__create_issue');
    expect(modelToolName('github', 'create_issue')).toBe('github__create_issue');
  });

  it('replaces characters models refuse and shortens long names, keeping them unique', () => {
    const dotted = modelToolName('my.server', 'get-sum');
    expect(dotted).toBe('my_server__get-sum');
    const long = 'a'.repeat(70);
    const first = modelToolName('srv', long);
    const second = modelToolName('srv', long, new Set([first]));
    for (const name of [dotted, first, second]) expect(name).toMatch(MODEL_TOOL_NAME);
    expect(first).toHaveLength(64);
    expect(second).not.toBe(first);
    expect(modelToolName('srv', 'x', new Set(['srv__x']))).not.toBe('srv__x');
  });
});
