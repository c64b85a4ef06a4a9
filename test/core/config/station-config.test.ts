import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_YAML,
  FileFormatError,
  parseStationConfig,
  parseVariables,
} from '../../../src/core/index.js';
import { readStationConfig } from '../../../src/core/config/station-config.js';

function failure(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FileFormatError) return error;
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

describe('config.yaml', () => {
  it('the file init writes parses to the defaults', () => {
    expect(parseStationConfig('config.yaml', DEFAULT_CONFIG_YAML)).toEqual(DEFAULT_CONFIG);
  });

  it('an empty file means all defaults, and set keys override them', () => {
    expect(parseStationConfig('c.yaml', '')).toEqual(DEFAULT_CONFIG);
    const config = parseStationConfig('c.yaml', 'model:\n  name: llama3\nserver:\n  port: 9000\n');
    expect(config.model.name).toBe('llama3');
    expect(config.server.port).toBe(9000);
    expect(config.model.baseUrl).toBe(DEFAULT_CONFIG.model.baseUrl);
  });

  it('a YAML syntax error names the file, line and column', () => {
    const err = failure(() => parseStationConfig('/h/config.yaml', 'model:\n  name: [unclosed\nserver:\n  port: 1\n'));
    expect(err.position.file).toBe('/h/config.yaml');
    expect(err.position.line).toBeGreaterThanOrEqual(2);
    expect(err.position.column).toBeTypeOf('number');
    expect(err.message).toMatch(/^\/h\/config\.yaml:\d+:\d+: invalid YAML/);
    expect(err.exitCode).toBe(6);
  });

  it('a wrong type names the key, its line and what was expected', () => {
    const err = failure(() => parseStationConfig('config.yaml', 'model:\n  name: gpt\nrunner:\n  workers: many\n'));
    expect(err.position).toMatchObject({ file: 'config.yaml', line: 4, column: 12, key: 'runner.workers' });
    expect(err.message).toContain('expected a whole number greater than 0, got "many"');
  });

  it('runner.tool_timeout_seconds: 60 unless set, and a whole number of seconds when set', () => {
    expect(parseStationConfig('c.yaml', '').runner.toolTimeoutSeconds).toBe(60);
    expect(DEFAULT_CONFIG_YAML).toContain('\n  tool_timeout_seconds: 60\n');
    expect(parseStationConfig('c.yaml', 'runner:\n  tool_timeout_seconds: 300\n').runner.toolTimeoutSeconds).toBe(300);
    const err = failure(() => parseStationConfig('config.yaml', 'runner:\n  tool_timeout_seconds: 1.5\n'));
    expect(err.position).toMatchObject({ file: 'config.yaml', line: 2, key: 'runner.tool_timeout_seconds' });
    expect(err.message).toContain('expected a whole number greater than 0, got 1.5');
  });

  it('size limits and the model idle timeout: documented defaults, and whole numbers when set', () => {
    const defaults = parseStationConfig('c.yaml', '');
    expect(defaults.runner).toMatchObject({ maxMcpResultBytes: 10 * 1024 * 1024, maxAnswerBytes: 4 * 1024 * 1024 });
    expect(defaults.model.idleTimeoutSeconds).toBe(60);
    expect(DEFAULT_CONFIG_YAML).toContain('\n  max_mcp_result_bytes: 10485760\n');
    expect(DEFAULT_CONFIG_YAML).toContain('\n  max_answer_bytes: 4194304\n');
    expect(DEFAULT_CONFIG_YAML).toContain('\n  idle_timeout_seconds: 60\n');
    const set = parseStationConfig(
      'c.yaml',
      'model:\n  idle_timeout_seconds: 300\nrunner:\n  max_mcp_result_bytes: 1024\n  max_answer_bytes: 2048\n',
    );
    expect([set.model.idleTimeoutSeconds, set.runner.maxMcpResultBytes, set.runner.maxAnswerBytes]).toEqual([
      300, 1024, 2048,
    ]);
    const err = failure(() => parseStationConfig('config.yaml', 'model:\n  name: m\n  idle_timeout_seconds: 0\n'));
    expect(err.position).toMatchObject({ file: 'config.yaml', line: 3, key: 'model.idle_timeout_seconds' });
    const bytes = failure(() => parseStationConfig('config.yaml', 'runner:\n  max_answer_bytes: 4MB\n'));
    expect(bytes.position).toMatchObject({ line: 2, key: 'runner.max_answer_bytes' });
  });

  it('runner.retention: no limit unless set; days and/or runs, each a whole number; errors name file, line and key', () => {
    expect(parseStationConfig('c.yaml', '').runner.retention).toEqual({ days: null, runs: null });
    expect(DEFAULT_CONFIG_YAML).toContain('\n  # retention:\n  #   days: 30\n');
    const both = parseStationConfig('c.yaml', 'runner:\n  retention:\n    days: 30\n    runs: 1000\n');
    expect(both.runner.retention).toEqual({ days: 30, runs: 1000 });
    expect(parseStationConfig('c.yaml', 'runner:\n  retention: {runs: 5}\n').runner.retention).toEqual({
      days: null,
      runs: 5,
    });
    const badDays = failure(() => parseStationConfig('config.yaml', 'runner:\n  retention:\n    days: 0\n'));
    expect(badDays.position).toMatchObject({ file: 'config.yaml', line: 3, key: 'runner.retention.days' });
    expect(badDays.message).toContain('expected a whole number greater than 0 (days finished runs are kept), got 0');
    const badRuns = failure(() => parseStationConfig('config.yaml', 'runner:\n  retention:\n    runs: "many"\n'));
    expect(badRuns.position).toMatchObject({ line: 3, key: 'runner.retention.runs' });
    const shorthand = failure(() => parseStationConfig('config.yaml', 'runner:\n  retention: 30d\n'));
    expect(shorthand.position).toMatchObject({ line: 2, key: 'runner.retention' });
    expect(shorthand.message).toContain('expected a mapping with `days: N`');
    expect(shorthand.message).toContain('(e.g. retention: {days: 30})');
    // A typo must not read as "keep everything": an error, and the unknown key a warning.
    const typo = failure(() => parseStationConfig('config.yaml', 'runner:\n  retention:\n    day: 30\n'));
    expect(typo.position).toMatchObject({ line: 3, key: 'runner.retention' });
    const { warnings } = readStationConfig('c.yaml', 'runner:\n  retention:\n    days: 3\n    rnus: 4\n');
    expect(warnings.map((w) => w.key)).toEqual(['runner.retention.rnus']);
  });

  it('rejects a section that is not a mapping', () => {
    const err = failure(() => parseStationConfig('config.yaml', 'server: 8080\n'));
    expect(err.position).toMatchObject({ line: 1, key: 'server' });
  });
});

describe('variables.yml', () => {
  it('reads a flat map, scalars as strings', () => {
    expect(parseVariables('v.yml', 'A: x\nB: 3\nC: true\nD:\n')).toEqual({ A: 'x', B: '3', C: 'true', D: '' });
  });

  it('reports nested values and syntax errors with file, line and column', () => {
    const nested = failure(() => parseVariables('/e/variables.yml', 'A: 1\nB:\n  c: 2\n'));
    expect(nested.position).toMatchObject({ file: '/e/variables.yml', line: 3, key: 'B' });
    const syntax = failure(() => parseVariables('/e/variables.yml', 'A: "open\n'));
    expect(syntax.position.file).toBe('/e/variables.yml');
    expect(syntax.position.line).toBeGreaterThanOrEqual(1);
    expect(syntax.message).toMatch(/^\/e\/variables.yml:\d+:\d+: invalid YAML/);
  });
});
