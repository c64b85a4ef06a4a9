import { describe, expect, it } from 'vitest';
import { chooseOutput, parseAgentFile } from '../../../src/core/index.js';

const agent = (output: string) =>
  parseAgentFile('/x/a.prompt', `---\nmetadata:\n  name: a\n${output}---\nHello {{userInput}}\n`);

describe('chooseOutput: plain text or JSON, and why', () => {
  it("the original's export boilerplate without format is plain text", () => {
    const choice = chooseOutput(agent('output:\n  schema:\n    response: string\n'));
    expect(choice).toEqual({
      format: 'text',
      reason: 'boilerplate',
      explanation: "text (output.schema {response: string} is the original Station's export boilerplate)",
    });
  });

  it('output.format: text is text (a schema is not checked); no output block is text', () => {
    expect(chooseOutput(agent('output:\n  format: text\n'))).toMatchObject({ format: 'text', reason: 'text' });
    expect(chooseOutput(agent('output:\n  format: text\n  schema:\n    total: integer\n'))).toMatchObject({
      format: 'text',
      explanation: 'text (output.format: text; its output schema is not checked)',
    });
    expect(chooseOutput(agent(''))).toEqual({ format: 'text', reason: 'none', explanation: 'text' });
  });

  it('any other schema, or format json, keeps JSON (with the schema to check)', () => {
    const other = chooseOutput(agent('output:\n  schema:\n    response: string\n    score: integer\n'));
    expect(other).toMatchObject({ format: 'json', reason: 'schema', spec: { format: 'json' } });
    expect(other.spec?.schema).toMatchObject({ properties: { score: { type: 'integer' } } });
    const described = chooseOutput(agent('output:\n  schema:\n    response: string, the answer\n'));
    expect(described.format).toBe('json');
    const json = chooseOutput(agent('output:\n  format: json\n  schema:\n    response: string\n'));
    expect(json).toMatchObject({ format: 'json', reason: 'json' });
    expect(chooseOutput(agent('output:\n  format: json\n'))).toMatchObject({
      format: 'json',
      spec: { format: 'json', schema: undefined },
    });
  });
});
