import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAgentFile, serializeAgent } from '../../../src/core/prompt/index.js';

const DIR = fileURLToPath(new URL('../../fixtures/agents', import.meta.url));
const FILES = readdirSync(DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.prompt'))
  .sort();

function load(rel: string) {
  const path = join(DIR, rel);
  return parseAgentFile(path, readFileSync(path, 'utf8'));
}

describe('real agent files (test/fixtures/agents, from the original Station and its registry)', () => {
  it('are all there', () => {
    expect(FILES).toEqual([
      'Hello World Agent.prompt',
      'Security Scanner.prompt',
      'assistant.prompt',
      'registry-filesystem-bundle/assistant.prompt',
      'registry-filesystem-bundle/specialist.prompt',
      'station-head-test-sample-environment/test-agent-1.prompt',
      'station-head-test-sample-environment/test-agent-2.prompt',
    ]);
  });

  for (const file of FILES) {
    it(`${file} parses, and its canonical text reads back equal`, () => {
      const agent = load(file);
      expect(agent.name).not.toBe('');
      expect(agent.template).not.toBe('');
      expect(agent.inputSchema).toMatchObject({ type: 'object', properties: { userInput: { type: 'string' } } });
      expect(parseAgentFile(join(DIR, file), serializeAgent(agent))).toEqual(agent);
    });
  }

  it('hand-written shape: metadata, top-level model and max_steps, tools: []', () => {
    const a = load('Hello World Agent.prompt');
    expect(a).toMatchObject({
      name: 'Hello World Agent',
      fileName: 'Hello World Agent.prompt',
      path: join(DIR, 'Hello World Agent.prompt'),
      description: 'A friendly agent for basic tasks and greetings',
      tags: ['basic', 'hello-world', 'simple'],
      model: 'gpt-5',
      maxSteps: 3,
      tools: [],
      config: {},
      inputSchema: { type: 'object', properties: { userInput: { type: 'string' } } },
    });
    expect(a.outputSchema).toBeUndefined();
    expect(a.template.startsWith('{{role "system"}}\nYou are a helpful and friendly Hello World agent.')).toBe(true);
    expect(a.template.endsWith('{{role "user"}}\n{{userInput}}')).toBe(true);
  });

  it('exported shape (Aug 2025): config, station.execution_metadata.max_steps, Picoschema input, output schema, __ tools', () => {
    const a = load('Security Scanner.prompt');
    expect(a).toMatchObject({
      name: 'Security Scanner',
      description: 'Scans repositories for security vulnerabilities using checkov security tools',
      model: 'gpt-5',
      maxSteps: 6,
      tools: ['__checkov_get_version', '__checkov_scan_directory', '__checkov_scan_file', '__checkov_scan_secrets'],
      config: { temperature: 0.3, maxTokens: 2000 },
    });
    expect(a.inputSchema).toEqual({
      type: 'object',
      properties: { userInput: { type: 'string' } },
      required: ['userInput'],
      additionalProperties: false,
    });
    expect(a.outputSchema).toEqual({
      type: 'object',
      properties: { response: { type: 'string' } },
      required: ['response'],
      additionalProperties: false,
    });
    // Unknown keys are kept.
    expect(a.frontmatter).toMatchObject({
      metadata: { version: '1.0.0' },
      station: { execution_metadata: { agent_id: 1, environment: 'default', created_at: '2025-08-28T15:32:10Z' } },
    });
  });

  it('a body without role markers and with variables the original never supplied', () => {
    const a = load('assistant.prompt');
    expect(a).toMatchObject({
      name: 'assistant',
      model: 'gemini-2.5-flash',
      maxSteps: 5,
      config: { temperature: 0.7, maxTokens: 2000 },
    });
    expect(a.frontmatter).toMatchObject({
      station: { execution_metadata: { timeout_seconds: 120, max_retries: 3, priority: 'medium' } },
    });
    expect(a.template).toContain('**Task**: {{TASK}}');
    expect(a.template).not.toContain('{{role');
  });

  it('the registry and build-test bundles', () => {
    expect(load('registry-filesystem-bundle/specialist.prompt')).toMatchObject({ name: 'specialist', maxSteps: 3 });
    expect(load('station-head-test-sample-environment/test-agent-2.prompt')).toMatchObject({
      name: 'Test Agent 2',
      model: 'gpt-4o-mini',
      maxSteps: 3,
      tools: ['__search_files', '__get_file_info'],
      tags: ['test', 'build', 'multi-agent'],
    });
  });
});
