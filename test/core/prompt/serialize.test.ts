import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAgentFile, serializeAgent, type AgentDefinition } from '../../../src/core/prompt/index.js';

const EXPORTED = `---
model: gpt-5
config:
  max_tokens: 2000
  temperature: 0.3
metadata:
  name: Security Scanner
  version: 1.0.0
tools:
  - __a
station:
  execution_metadata:
    max_steps: 6
    agent_id: 1
input:
  schema:
    userInput: string
    repo?: string, the repository
---
{{role "system"}}
Scan.

{{role "user"}}
{{userInput}}
`;

const FILE = '/env/agents/Security Scanner.prompt';

function frontmatter(text: string): Record<string, unknown> {
  return parse(text.split('\n---\n')[0]!.replace(/^---\n/, '')) as Record<string, unknown>;
}

function roundTrip(agent: AgentDefinition): AgentDefinition {
  const back = parseAgentFile(FILE, serializeAgent(agent));
  return back;
}

describe('serializeAgent', () => {
  it('an unchanged agent keeps its shape: Picoschema input, station block, key order', () => {
    const agent = parseAgentFile(FILE, EXPORTED);
    const text = serializeAgent(agent);
    expect(Object.keys(frontmatter(text))).toEqual(['model', 'config', 'metadata', 'tools', 'station', 'input']);
    expect(frontmatter(text).input).toEqual({ schema: { userInput: 'string', 'repo?': 'string, the repository' } });
    expect(roundTrip(agent)).toEqual(agent);
    // Serializing is stable.
    expect(serializeAgent(roundTrip(agent))).toBe(text);
  });

  it('writes a changed field where the file keeps it', () => {
    const agent = parseAgentFile(FILE, EXPORTED);
    const changed = { ...agent, maxSteps: 9, description: 'Now described', tags: ['sec'] };
    const text = serializeAgent(changed);
    const fm = frontmatter(text);
    expect(fm.max_steps).toBeUndefined();
    expect(fm.station).toEqual({ execution_metadata: { max_steps: 9, agent_id: 1 } });
    expect(fm.metadata).toEqual({
      name: 'Security Scanner',
      version: '1.0.0',
      description: 'Now described',
      tags: ['sec'],
    });
    expect(roundTrip(changed)).toEqual(parseAgentFile(FILE, text));
    expect(parseAgentFile(FILE, text)).toMatchObject({ maxSteps: 9, description: 'Now described', tags: ['sec'] });
  });

  it('removing an optional field removes it from every place it could be read from', () => {
    const agent = parseAgentFile(FILE, EXPORTED.replace('---\nmodel: gpt-5', '---\nmax_steps: 2\nmodel: gpt-5'));
    expect(agent.maxSteps).toBe(2);
    const { maxSteps: _m, model: _model, ...rest } = agent;
    const back = parseAgentFile(FILE, serializeAgent(rest));
    expect(back.maxSteps).toBeUndefined();
    expect(back.model).toBeUndefined();
    expect(back.frontmatter).toMatchObject({ station: { execution_metadata: { agent_id: 1 } } });
  });

  it('a new input schema is written as JSON Schema; config keys keep their file names', () => {
    const agent = parseAgentFile(FILE, EXPORTED);
    const inputSchema = {
      type: 'object',
      properties: { userInput: { type: 'string' }, n: { type: 'integer' } },
      required: ['n'],
    };
    const changed: AgentDefinition = { ...agent, inputSchema, config: { temperature: 1, maxTokens: 10, top_p: 0.5 } };
    const text = serializeAgent(changed);
    expect(frontmatter(text).input).toEqual({ schema: inputSchema });
    expect(frontmatter(text).config).toEqual({ max_tokens: 10, temperature: 1, top_p: 0.5 });
    expect(roundTrip(changed)).toMatchObject({ inputSchema, config: { temperature: 1, maxTokens: 10, top_p: 0.5 } });
  });

  it('output format and schema are written and removed', () => {
    const agent = parseAgentFile(FILE, EXPORTED);
    const withOutput: AgentDefinition = { ...agent, outputFormat: 'json', outputSchema: { type: 'object' } };
    const back = roundTrip(withOutput);
    expect(back).toMatchObject({ outputFormat: 'json', outputSchema: { type: 'object' } });
    const { outputFormat: _f, outputSchema: _s, ...without } = back;
    const again = roundTrip(without);
    expect(again.outputFormat).toBeUndefined();
    expect(again.frontmatter.output).toBeUndefined();
  });

  it('a renamed agent gets metadata.name only when the file name does not say it', () => {
    const plain = parseAgentFile('/e/agents/plain.prompt', '---\nmodel: m\n---\nHi');
    expect(serializeAgent(plain)).toBe('---\nmodel: m\n---\nHi\n');
    const renamed = serializeAgent({ ...plain, name: 'Fancy' });
    expect(parseAgentFile('/e/agents/plain.prompt', renamed).name).toBe('Fancy');
    expect(serializeAgent({ ...plain, name: 'other', fileName: 'other.prompt' })).toBe('---\nmodel: m\n---\nHi\n');
  });

  it('a file without frontmatter stays without', () => {
    const bare = parseAgentFile('/e/agents/bare.prompt', 'Just a body.\n');
    expect(serializeAgent(bare)).toBe('Just a body.\n');
    expect(parseAgentFile('/e/agents/bare.prompt', serializeAgent(bare))).toEqual(bare);
  });
});
