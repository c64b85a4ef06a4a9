// Typos in files Station reads: unknown keys are warnings with file:line and the key meant.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMcpConfig, mcpConfigWarnings, readMcpServerTemplates } from '../../../src/core/config/mcp-config.js';
import { readStationConfig } from '../../../src/core/config/station-config.js';
import { checkKeys, closestKey, osaDistance, type KeySpec } from '../../../src/core/config/unknown-keys.js';
import { McpConfigError } from '../../../src/core/index.js';
import { readAgentFile } from '../../../src/core/prompt/parse.js';

describe('closestKey', () => {
  it('finds swapped, missing, extra and wrong letters, and other spellings of the same words', () => {
    expect(closestKey('agrs', ['command', 'args', 'env'])).toBe('args');
    expect(closestKey('runer', ['model', 'server', 'runner', 'environment'])).toBe('runner');
    expect(closestKey('max_step', ['model', 'max_steps', 'tools'])).toBe('max_steps');
    expect(closestKey('maxSteps', ['max_steps'])).toBe('max_steps');
    expect(closestKey('Max-Steps', ['max_steps'])).toBe('max_steps');
    expect(closestKey('workerz', ['workers', 'queue_size'])).toBe('workers');
    expect(closestKey('descripton', ['name', 'description'])).toBe('description');
    expect(closestKey('mcpServer', ['mcpServers', 'servers'])).toBe('mcpServers');
  });

  it('says nothing for keys that are not near a known one', () => {
    expect(closestKey('custom', ['model', 'config', 'tools', 'tags', 'name'])).toBeUndefined();
    expect(closestKey('author', ['app', 'app_type', 'metadata'])).toBeUndefined();
    expect(closestKey('env', ['ext', 'app'])).toBeUndefined();
    expect(closestKey('id', ['ext'])).toBeUndefined();
    // Short keys get one edit, not two.
    expect(closestKey('vars', ['tags'])).toBeUndefined();
  });

  it('loose: a known key that starts with the typed one', () => {
    expect(closestKey('tool_timeout', ['tool_timeout_seconds'])).toBeUndefined();
    expect(closestKey('tool_timeout', ['tool_timeout_seconds'], { loose: true })).toBe('tool_timeout_seconds');
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(osaDistance('agrs', 'args')).toBe(1);
    expect(osaDistance('runer', 'runner')).toBe(1);
    expect(osaDistance('', 'abc')).toBe(3);
    expect(osaDistance('same', 'same')).toBe(0);
  });
});

describe('checkKeys', () => {
  const at = (path: readonly string[]) => ({ file: 'f.yaml', line: path.length, column: 1 });
  const spec: KeySpec = {
    keys: {
      runner: { keys: { workers: null, queue_size: null } },
      open: { open: true, keys: { temperature: null } },
      byName: {
        keys: {},
        each: { keys: { command: null, args: null }, label: (p) => `in server "${p.at(-1) ?? ''}"` },
      },
    },
    ignored: ['debug'],
  };

  it('closed mappings warn about every unknown key, with the key meant when one is close', () => {
    const warnings = checkKeys({ runer: 1, debug: true, zzz: 1, runner: { workerz: 2 } }, spec, at);
    expect(warnings.map((w) => w.message)).toEqual([
      'f.yaml:1:1: unknown key "runer" (ignored); did you mean "runner"?',
      'f.yaml:1:1: unknown key "zzz" (ignored)',
      'f.yaml:2:1: unknown key "workerz" under "runner" (ignored); did you mean "workers"?',
    ]);
    expect(warnings[2]).toMatchObject({ key: 'runner.workerz', suggestion: 'workers', line: 2 });
  });

  it('open mappings warn only about near misses, never about namespaced extension keys', () => {
    const warnings = checkKeys({ open: { temprature: 1, top_p: 1, 'x.temperature': 1 } }, spec, at);
    expect(warnings.map((w) => w.key)).toEqual(['open.temprature']);
  });

  it('mappings of names check every entry', () => {
    const warnings = checkKeys({ byName: { fs: { command: 'x', agrs: [] }, other: { args: [] } } }, spec, at);
    expect(warnings.map((w) => w.message)).toEqual([
      'f.yaml:3:1: unknown key "agrs" in server "fs" (ignored); did you mean "args"?',
    ]);
  });
});

describe('config.yaml', () => {
  it('warns about an unknown section and unknown settings, at the line of the key', () => {
    const text = 'model:\n  name: gpt\nruner:\n  workers: 2\nrunner:\n  workerz: 3\n  queue_size: 5\n';
    const { config, warnings } = readStationConfig('/h/config.yaml', text);
    expect(config.runner.queueSize).toBe(5);
    expect(warnings.map((w) => w.message)).toEqual([
      '/h/config.yaml:3:1: unknown key "runer" (ignored); did you mean "runner"?',
      '/h/config.yaml:6:3: unknown key "workerz" under "runner" (ignored); did you mean "workers"?',
    ]);
  });

  it("names Station's key for each of the original Station's keys, never as a typo", () => {
    const text =
      'encryption_key: abc\nai_provider: openai\nai_model: gpt-5-mini\napi_port: 8585\nlocal_mode: true\nmodel:\n  name: x\n';
    const messages = readStationConfig('c.yaml', text).warnings.map((w) => w.message);
    expect(messages).toHaveLength(5);
    expect(messages.some((m) => m.includes('unknown key'))).toBe(false);
    expect(messages).toContain(
      'c.yaml:3:1: "ai_model" is the original Station\'s key for model.name, which is also set and wins; run `stn config migrate` to rewrite the file',
    );
  });
});

describe('template.json', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'station-typos-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  const TEMPLATE = `{
  "mcpServers": {
    "fs": {
      "command": "node",
      "agrs": ["server.js", "{{ .ROOT }}"],
      "timout_ms": 5000,
      "autoApprove": [],
      "envFile": ".env"
    }
  }
}
`;

  it('warns about unknown keys of a server entry with file:line:column and the key meant', () => {
    write('template.json', TEMPLATE);
    const file = join(dir, 'template.json');
    expect(mcpConfigWarnings(dir).map((w) => w.message)).toEqual([
      `${file}:5:7: unknown key "agrs" in server "fs" (ignored); did you mean "args"?`,
      `${file}:6:7: unknown key "timout_ms" in server "fs" (ignored); did you mean "timeout_ms"?`,
      `${file}:8:7: unknown key "envFile" in server "fs" (ignored)`,
    ]);
  });

  it('the server keeps its warnings, for listings and for a start that fails', () => {
    write('template.json', TEMPLATE);
    const [template] = readMcpServerTemplates(dir);
    expect(template?.warnings).toHaveLength(3);
    const [rendered] = loadMcpConfig(dir, { env: {}, overrides: { ROOT: '/tmp' } }).servers;
    expect(rendered?.warnings?.[0]).toContain('did you mean "args"?');
  });

  it('a misspelt "command" is named in the error that the server has none', () => {
    write('template.json', '{"mcpServers": {"fs": {"comand": "node", "args": []}}}');
    let error: unknown;
    try {
      readMcpServerTemplates(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(McpConfigError);
    expect((error as Error).message).toContain('found "comand": did you mean "command"?');
  });

  it('a misspelt mcpServers says why the file is not read as a config', () => {
    write('template.json', '{\n  "name": "x",\n  "mcpServer": {\n    "fs": { "command": "node" }\n  }\n}\n');
    expect(mcpConfigWarnings(dir).map((w) => w.message)).toEqual([
      `${join(dir, 'template.json')}:3:3: unknown key "mcpServer" (the file is not read as an MCP config); did you mean "mcpServers"?`,
    ]);
  });

  it("other JSON files, other clients' keys and extra top-level keys are no typos", () => {
    write(
      'template.json',
      '{"name": "n", "description": "d", "inputs": [], "mcpServers": {"a": {"command": "x", "args": [], "env": {}, "disabled": false, "autoApprove": [], "alwaysAllow": [], "timeout": 100}}}',
    );
    write(
      'manifest.json',
      '{"name": "bundle", "mcp_servers": [{"name": "fs", "command": "npx"}], "server": {"port": 1}}',
    );
    write('other.json', '{"servers": {"b": {"url": "http://127.0.0.1:1/mcp", "headers": {}, "type": "http"}}}');
    expect(mcpConfigWarnings(dir)).toEqual([]);
  });
});

describe('agent frontmatter', () => {
  const read = (frontmatter: string) =>
    readAgentFile('/env/agents/a.prompt', `---\n${frontmatter}---\nHello {{userInput}}\n`);

  it('a near miss of a key Station reads warns with file:line and the key meant', () => {
    const { agent, warnings } = read('model: gpt\nmax_step: 3\n');
    expect(agent.maxSteps).toBeUndefined();
    expect(warnings.map((w) => w.message)).toEqual([
      '/env/agents/a.prompt:3:1: unknown key "max_step" (ignored); did you mean "max_steps"?',
    ]);
  });

  it('checks the mappings Station reads: config, metadata, station.execution_metadata, schedule, input, output', () => {
    const { warnings } = read(
      [
        'config:',
        '  max_token: 100',
        'metadata:',
        '  descripton: x',
        'station:',
        '  execution_metadata:',
        '    max_step: 2',
        'schedule:',
        '  enable: true',
        "  cron: '0 9 * * *'",
        'input:',
        '  shema:',
        '    userInput: string',
        'output:',
        '  format: json',
        '  extra: 1',
        '',
      ].join('\n'),
    );
    expect(warnings.map((w) => [w.key, w.line, w.suggestion])).toEqual([
      ['config.max_token', 3, 'max_tokens'],
      ['metadata.descripton', 5, 'description'],
      ['station.execution_metadata.max_step', 8, 'max_steps'],
      ['schedule.enable', 10, 'enabled'],
      ['input.shema', 13, 'schema'],
      ['output.extra', 17, undefined],
    ]);
  });

  it('keys of other tools, dotprompt extension keys and model settings Station passes on are fine', () => {
    const { warnings } = read(
      'custom: prop\next1.foo: bar\nauthor: me\nconfig:\n  top_p: 0.9\n  topK: 3\n  seed: 1\nmetadata:\n  team: a\napp: x\napp_type: y\nvariant: v\nversion: 2\n',
    );
    expect(warnings).toEqual([]);
  });
});
