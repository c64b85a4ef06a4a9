import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/core/errors.js';
import { parseAgentFile } from '../../../src/core/prompt/index.js';

function errorOf(text: string, file = '/agents/a.prompt'): FileFormatError {
  try {
    parseAgentFile(file, text);
  } catch (error) {
    if (error instanceof FileFormatError) return error;
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

describe('parseAgentFile', () => {
  it('takes the name from metadata.name, else the file name (spaces allowed)', () => {
    expect(parseAgentFile('/x/Code Reviewer.prompt', '---\nmodel: m\n---\nHi').name).toBe('Code Reviewer');
    expect(parseAgentFile('/x/file.prompt', '---\nmetadata:\n  name: Other Name\n---\nHi').name).toBe('Other Name');
    expect(parseAgentFile('/x/file.prompt', '---\nname: top\n---\nHi').name).toBe('top');
  });

  it('max_steps: top-level, else metadata.max_steps, else station.execution_metadata.max_steps', () => {
    const station = 'station:\n  execution_metadata:\n    max_steps: 3\n';
    const meta = 'metadata:\n  max_steps: 2\n';
    expect(parseAgentFile('a.prompt', `---\n${station}---\nx`).maxSteps).toBe(3);
    expect(parseAgentFile('a.prompt', `---\n${station}${meta}---\nx`).maxSteps).toBe(2);
    expect(parseAgentFile('a.prompt', `---\n${station}${meta}max_steps: 1\n---\nx`).maxSteps).toBe(1);
    expect(parseAgentFile('a.prompt', '---\nmodel: m\n---\nx').maxSteps).toBeUndefined();
  });

  it('retry_on_interrupt: true is one retry, a number that many (up to 10), false or 0 none', () => {
    const parse = (value: string) => parseAgentFile('a.prompt', `---\nretry_on_interrupt: ${value}\n---\nx`);
    expect(parse('true').retryOnInterrupt).toBe(1);
    expect(parse('3').retryOnInterrupt).toBe(3);
    expect(parse('false').retryOnInterrupt).toBeUndefined();
    expect(parse('0').retryOnInterrupt).toBeUndefined();
    expect(parseAgentFile('a.prompt', '---\nmodel: m\n---\nx').retryOnInterrupt).toBeUndefined();
    const e = errorOf('---\nmodel: gpt\nretry_on_interrupt: always\n---\nbody');
    expect(e.position).toMatchObject({ line: 3, key: 'retry_on_interrupt' });
    expect(e.message).toContain('expected true, false or a number of retries from 0 to 10, got string "always"');
    expect(errorOf('---\nretry_on_interrupt: 11\n---\nb').position).toMatchObject({ key: 'retry_on_interrupt' });
  });

  it('a wrong type names the file, the line and the key', () => {
    const e = errorOf('---\nmodel: gpt\nmax_steps: "ten"\n---\nbody');
    expect(e.position).toMatchObject({ file: '/agents/a.prompt', line: 3, key: 'max_steps' });
    expect(e.message).toBe(
      '/agents/a.prompt:3:12 (key "max_steps"): expected a whole number of at least 1, got string "ten"',
    );
    expect(e.exitCode).toBe(5);

    expect(errorOf('---\nstation:\n  execution_metadata:\n    max_steps: 0\n---\nb').position).toMatchObject({
      line: 4,
      key: 'station.execution_metadata.max_steps',
    });
    expect(errorOf('---\ntools: __read\n---\nb').position).toMatchObject({ line: 2, key: 'tools' });
    expect(errorOf('---\ntools:\n  - ok\n  - 3\n---\nb').position).toMatchObject({ line: 4, key: 'tools.1' });
    expect(errorOf('---\nconfig:\n  temperature: hot\n---\nb').position).toMatchObject({
      line: 3,
      key: 'config.temperature',
    });
    expect(errorOf('---\nconfig:\n  max_tokens: 1.5\n---\nb').position).toMatchObject({
      line: 3,
      key: 'config.max_tokens',
    });
    expect(errorOf('---\nmetadata: just text\n---\nb').position).toMatchObject({ line: 2, key: 'metadata' });
    expect(errorOf('---\nmetadata:\n  name: ""\n---\nb').position).toMatchObject({ line: 3, key: 'metadata.name' });
    expect(errorOf('---\nmetadata:\n  tags: [a, [b]]\n---\nb').position).toMatchObject({
      line: 3,
      key: 'metadata.tags.1',
    });
    expect(errorOf('---\noutput:\n  format: xml\n---\nb').message).toContain(
      'expected "json" or "text", got string "xml"',
    );
  });

  it('invalid YAML names the file, line and column', () => {
    const e = errorOf('---\nmodel: gpt\ntools: [a, b\n---\nbody');
    expect(e.position.file).toBe('/agents/a.prompt');
    expect(e.position.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toContain('invalid YAML');
    expect(errorOf('---\nmodel: a\nmodel: b\n---\nx').message).toContain('invalid YAML');
  });

  it('a frontmatter without its closing line, or that is not a mapping, is an error', () => {
    expect(errorOf('---\nmodel: gpt\nbody').message).toContain('no closing "---"');
    expect(errorOf('---\n- a\n- b\n---\nbody').message).toContain('must be a YAML mapping');
  });

  it('input schema: Picoschema and JSON Schema both become JSON Schema with userInput', () => {
    const pico = parseAgentFile(
      'a.prompt',
      '---\ninput:\n  schema:\n    repo: string, the repository\n    depth?: integer\n    mode(enum): [fast, deep]\n    paths(array): string\n---\nx',
    );
    expect(pico.inputSchema).toEqual({
      type: 'object',
      properties: {
        userInput: { type: 'string' },
        repo: { type: 'string', description: 'the repository' },
        depth: { type: ['integer', 'null'] },
        mode: { enum: ['fast', 'deep'] },
        paths: { type: 'array', items: { type: 'string' } },
      },
      required: ['repo', 'mode', 'paths'],
      additionalProperties: false,
    });
    const json = parseAgentFile(
      'a.prompt',
      '---\ninput:\n  schema:\n    type: object\n    properties:\n      userInput: {type: string, description: the task}\n      count: {type: integer}\n    required: [userInput]\n---\nx',
    );
    expect(json.inputSchema).toEqual({
      type: 'object',
      properties: { userInput: { type: 'string', description: 'the task' }, count: { type: 'integer' } },
      required: ['userInput'],
    });
  });

  it('input schema errors point at the field', () => {
    expect(errorOf('---\ninput:\n  schema:\n    repo: strng\n---\nx').position).toMatchObject({
      line: 4,
      key: 'input.schema.repo',
    });
    expect(errorOf('---\ninput:\n  schema:\n    userInput: integer\n---\nx').message).toContain('must be a string');
    expect(errorOf('---\ninput:\n  schema: string\n---\nx').message).toContain('must describe named fields');
    expect(errorOf('---\ninput:\n  schema:\n    color(enum): red\n---\nx').position.key).toBe(
      'input.schema.color(enum)',
    );
  });

  it('output: format and schema (later exports)', () => {
    const a = parseAgentFile(
      'a.prompt',
      '---\noutput:\n  format: json\n  schema:\n    type: object\n    properties:\n      findings: {type: array}\n---\nx',
    );
    expect(a.outputFormat).toBe('json');
    expect(a.outputSchema).toEqual({ type: 'object', properties: { findings: { type: 'array' } } });
  });

  it('keeps keys Station does not use (schedule, app, app_type, ...)', () => {
    const a = parseAgentFile(
      'a.prompt',
      '---\nschedule:\n  cron: "0 * * * *"\n  enabled: true\napp: x\napp_type: y\nconfig:\n  top_p: 0.9\n---\nx',
    );
    expect(a.frontmatter).toMatchObject({ schedule: { cron: '0 * * * *', enabled: true }, app: 'x', app_type: 'y' });
    expect(a.config).toEqual({ top_p: 0.9 });
  });

  it('reads CRLF files and a byte-order mark, and files without frontmatter', () => {
    const crlf = parseAgentFile('a.prompt', '\uFEFF---\r\nmax_steps: 4\r\n---\r\n{{role "system"}}\r\nHi\r\n');
    expect(crlf.maxSteps).toBe(4);
    expect(crlf.template).toBe('{{role "system"}}\nHi');
    const bare = parseAgentFile('/x/plain.prompt', '\nYou are plain.\n');
    expect(bare).toMatchObject({ name: 'plain', template: 'You are plain.', frontmatter: {}, tools: [] });
  });

  it('sets path only for absolute paths', () => {
    expect(parseAgentFile('rel/a.prompt', 'x').path).toBeUndefined();
    expect(parseAgentFile('/abs/a.prompt', 'x').path).toBe('/abs/a.prompt');
  });
});
