import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addServerToConfig, removeServerFromConfig } from '../../../src/core/config/mcp-config-edit.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  McpConfigError,
  discoverMcpConfigs,
  loadMcpConfig,
  readMcpServerTemplates,
  serverConfigHash,
} from '../../../src/core/config/mcp-config.js';
import {
  loadVariablesSchema,
  looksLikePath,
  parseAssignments,
  rejectedDefault,
  resolveVariables,
  saveVariables,
} from '../../../src/core/config/mcp-config-variables.js';
import { MissingVariablesError } from '../../../src/core/config/template-render.js';
import { makeRedactor } from '../../../src/core/mcp/redactor.js';
import { ConflictError, FileFormatError, NotFoundError, UsageError, ValidationError } from '../../../src/core/index.js';

const BUNDLES = fileURLToPath(new URL('../../fixtures/bundles', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-mcpconfig-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('discoverMcpConfigs', () => {
  it('finds every top-level *.json with mcpServers or servers, template.json first, and ignores the rest', () => {
    write('zeta.json', { servers: { z: { command: 'z' } } });
    write('template.json', { mcpServers: {} });
    write('alpha.json', { mcpServers: { a: { command: 'a' } } });
    write('manifest.json', { name: 'bundle', version: '1.0.0' });
    write('variables.schema.json', { properties: {} });
    write('notes.json', '{ this is not json and not a config }');
    write('.hidden.json', { mcpServers: { h: { command: 'h' } } });
    expect(discoverMcpConfigs(dir).map((f) => [f.file.slice(dir.length + 1), f.key])).toEqual([
      ['template.json', 'mcpServers'],
      ['alpha.json', 'mcpServers'],
      ['zeta.json', 'servers'],
    ]);
  });

  it('reports a broken config file with its line and column', () => {
    const file = write('template.json', '{\n  "mcpServers": {\n    "a": { "command": "x", }\n  }\n}\n');
    const error = caught(() => discoverMcpConfigs(dir));
    expect(error).toBeInstanceOf(McpConfigError);
    expect((error as McpConfigError).issues[0]).toMatchObject({ file, line: 3 });
    expect((error as McpConfigError).message).toMatch(new RegExp(`^${file}:3:\\d+: invalid JSON`));
    expect((error as McpConfigError).exitCode).toBe(6);
  });
});

describe('server entries', () => {
  it('reads stdio and HTTP servers with defaults, and skips nothing silently', () => {
    write('template.json', {
      mcpServers: {
        fs: { command: 'npx', args: ['-y', 'pkg', '{{ .ROOT }}'], env: { LEVEL: 3 }, cwd: 'sub' },
        remote: { url: 'https://example.invalid/mcp', headers: { Authorization: 'Bearer {{ .TOKEN }}' } },
        old: { url: 'https://example.invalid/sse', type: 'sse', timeout_ms: 5000, call_timeout_ms: 120_000 },
        off: { command: 'x', disabled: true },
      },
    });
    const servers = readMcpServerTemplates(dir);
    expect(servers).toEqual([
      {
        name: 'fs',
        file: join(dir, 'template.json'),
        transport: 'stdio',
        command: 'npx',
        args: ['-y', 'pkg', '{{ .ROOT }}'],
        env: { LEVEL: '3' },
        cwd: join(dir, 'sub'),
        timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
        disabled: false,
      },
      expect.objectContaining({ name: 'remote', transport: 'http', headers: { Authorization: 'Bearer {{ .TOKEN }}' } }),
      expect.objectContaining({ name: 'old', transport: 'sse', timeoutMs: 5000, callTimeoutMs: 120_000 }),
      expect.objectContaining({ name: 'off', disabled: true, cwd: dir }),
    ]);
  });

  it('lists every problem with file, line and key', () => {
    const file = write(
      'template.json',
      [
        '{',
        '  "mcpServers": {',
        '    "nothing": {},',
        '    "both": { "command": "x", "url": "http://a" },',
        '    "badargs": { "command": "x", "args": "-y pkg" },',
        '    "badurl": { "url": "ftp://host/x" },',
        '    "slow": { "command": "x", "timeout_ms": -5 },',
        '    "hang": { "command": "x", "call_timeout_ms": "90s" },',
        '    "bad name": { "command": "x" }',
        '  }',
        '}',
      ].join('\n'),
    );
    const error = caught(() => readMcpServerTemplates(dir)) as McpConfigError;
    expect(error).toBeInstanceOf(McpConfigError);
    expect(error.issues.map((i) => [i.line, i.key, i.message])).toEqual([
      [3, 'mcpServers.nothing', 'expected "command" (a stdio server) or "url" (an HTTP server)'],
      [4, 'mcpServers.both', expect.stringContaining('both "command" and "url"')],
      [5, 'mcpServers.badargs.args', 'expected an array of strings'],
      [6, 'mcpServers.badurl.url', 'expected an http:// or https:// URL, got "ftp://host/x"'],
      [7, 'mcpServers.slow.timeout_ms', expect.stringContaining('expected milliseconds')],
      [8, 'mcpServers.hang.call_timeout_ms', 'expected milliseconds, a whole number from 1 to 3600000, got "90s"'],
      [9, 'mcpServers.bad name', expect.stringContaining('invalid server name')],
    ]);
    expect(error.issues.every((i) => i.file === file)).toBe(true);
    expect(error.message).toContain('(and 6 more problems)');
  });

  it('reads max_result_bytes, and names the line of a bad one', () => {
    write('template.json', {
      mcpServers: { big: { command: 'x', max_result_bytes: 33_554_432 }, plain: { command: 'y' } },
    });
    const servers = readMcpServerTemplates(dir);
    expect(servers[0]).toMatchObject({ name: 'big', maxResultBytes: 33_554_432 });
    expect(servers[1]).not.toHaveProperty('maxResultBytes');
    const file = write(
      'template.json',
      '{\n  "mcpServers": {\n    "big": { "command": "x", "max_result_bytes": "32MB" }\n  }\n}',
    );
    const error = caught(() => readMcpServerTemplates(dir)) as McpConfigError;
    expect(error.issues).toEqual([
      expect.objectContaining({
        file,
        line: 3,
        key: 'mcpServers.big.max_result_bytes',
        message: 'expected bytes, a whole number from 1 to 1073741824, got "32MB"',
      }),
    ]);
  });

  it('rejects a server name defined in two files', () => {
    write('template.json', { mcpServers: { github: { command: 'a' } } });
    write('extra.json', { mcpServers: { github: { url: 'https://x.invalid' } } });
    const error = caught(() => readMcpServerTemplates(dir)) as McpConfigError;
    expect(error.issues[0]?.message).toBe(
      'server "github" is also defined in template.json: server names must be unique in an environment',
    );
    expect(error.issues[0]?.file).toBe(join(dir, 'extra.json'));
  });
});

describe('loadMcpConfig: variables', () => {
  beforeEach(() => {
    write('template.json', {
      mcpServers: {
        s: {
          command: 'run',
          args: ['{{ .A }}', '{{ .B }}', '{{ .C }}', '{{ .D }}'],
          env: { API_TOKEN: '{{ .API_TOKEN }}' },
        },
      },
    });
    write('variables.schema.json', {
      properties: { A: { default: 'from-default', description: 'A thing' }, D: { default: 'd-default' } },
    });
    writeFileSync(
      join(dir, 'variables.yml'),
      'A: from-file\nB: from-file\nC: from-file\nAPI_TOKEN: tok-from-file-123\n',
    );
  });

  it('takes schema defaults, then variables.yml, then the process environment, then overrides (later wins)', () => {
    const config = loadMcpConfig(dir, { env: { B: 'from-env', C: 'from-env' }, overrides: { C: 'from-var' } });
    const s = config.servers[0];
    expect(s?.transport === 'stdio' && s.args).toEqual(['from-file', 'from-env', 'from-var', 'd-default']);
    expect(config.variables.origin).toEqual({ A: 'file', B: 'env', C: 'override', D: 'default', API_TOKEN: 'file' });
    // Listings and the database see the config as written, never the values.
    const template = config.templates.get('s');
    expect(template?.transport === 'stdio' && template.args).toEqual(['{{ .A }}', '{{ .B }}', '{{ .C }}', '{{ .D }}']);
  });

  it('masks every variable value it rendered: secrets as [secret:NAME], the others as their placeholder', () => {
    const config = loadMcpConfig(dir, { env: {} });
    const redact = makeRedactor(config.secrets);
    expect(redact('auth failed for tok-from-file-123 in from-file')).toBe(
      'auth failed for [secret:API_TOKEN] in {{ .A }}',
    );
  });

  it('names every missing variable and where it is used, and renders nothing', () => {
    rmSync(join(dir, 'variables.yml'));
    rmSync(join(dir, 'variables.schema.json'));
    write('other.json', { mcpServers: { o: { url: 'https://{{ .HOST }}/mcp' } } });
    const error = caught(() => loadMcpConfig(dir, { env: { B: 'b' } })) as MissingVariablesError;
    expect(error).toBeInstanceOf(MissingVariablesError);
    expect(error.missing.map((m) => m.name)).toEqual(['A', 'C', 'D', 'API_TOKEN', 'HOST']);
    expect(error.missing.find((m) => m.name === 'HOST')?.uses[0]?.file).toBe(join(dir, 'other.json'));
    expect(error.message).toContain(`API_TOKEN (${join(dir, 'template.json')}:`);
    expect(error.hints[0]).toContain(join(dir, 'variables.yml'));
    // With a variables.schema.json, descriptions are shown.
    writeFileSync(
      join(dir, 'variables.schema.json'),
      JSON.stringify({ properties: { HOST: { description: 'Host of the MCP gateway' } } }),
    );
    const described = caught(() => loadMcpConfig(dir, { env: { B: 'b' } })) as MissingVariablesError;
    expect(described.hints[0]).toBe('HOST: Host of the MCP gateway');
    expect(described.missing.find((m) => m.name === 'HOST')?.description).toBe('Host of the MCP gateway');
  });

  it('a config that only breaks once a value is put outside a string says so', () => {
    write('template.json', '{"mcpServers": {"s": {"command": "x", "timeout_ms": {{ .T }}}}}');
    rmSync(join(dir, 'variables.schema.json'));
    expect(loadMcpConfig(dir, { env: { T: '2500' } }).servers[0]?.timeoutMs).toBe(2500);
    const error = caught(() => loadMcpConfig(dir, { env: { T: 'soon' } })) as McpConfigError;
    expect(error.issues[0]?.message).toMatch(/does not parse once variables are filled in/);
  });

  it('the config hash changes when a rendered value changes', () => {
    const a = loadMcpConfig(dir, { env: {} }).servers[0];
    const b = loadMcpConfig(dir, { env: { B: 'other' } }).servers[0];
    expect(a && serverConfigHash(a)).not.toBe(b && serverConfigHash(b));
    expect(a && serverConfigHash(a)).toBe(a && serverConfigHash({ ...a }));
  });
});

describe('path defaults of variables.schema.json', () => {
  it('are paths when absolute, in the home (~, ~/x) or starting with ./ or ../', () => {
    for (const p of ['/srv/x', '~', '~/x', './x', '../x']) expect(looksLikePath(p), p).toBe(true);
    for (const p of ['info', 'http://localhost/x', '3', 'true', '~user/x', 'x/y', '.env', '']) {
      expect(looksLikePath(p), p).toBe(false);
    }
  });

  it('are used only when they exist: ~ from HOME, ./ from the environment folder', () => {
    const env = { HOME: dir };
    writeFileSync(join(dir, 'here.txt'), '');
    expect(rejectedDefault(join(dir, 'here.txt'), env)).toBeUndefined();
    expect(rejectedDefault('~/here.txt', env)).toBeUndefined();
    expect(rejectedDefault('~', env)).toBeUndefined();
    expect(rejectedDefault('./here.txt', env, dir)).toBeUndefined();
    expect(rejectedDefault('~/gone', env)).toBe('default path ~/gone does not exist');
    expect(rejectedDefault('./gone', env, dir)).toBe('default path ./gone does not exist');
    expect(rejectedDefault('/nonexistent-station/x', env)).toBe('default path /nonexistent-station/x does not exist');
    expect(rejectedDefault('info', env)).toBeUndefined();
  });

  it('that do not exist give no value, and loadMcpConfig lists the variable as missing with the reason', () => {
    const r = resolveVariables(['A', 'B'], {
      file: {},
      env: {},
      overrides: {},
      schema: { A: { required: false, default: '/nonexistent-station/a' }, B: { required: false, default: dir } },
    });
    expect(r.values).toEqual({ B: dir });
    expect(r.rejectedDefaults).toEqual({ A: 'default path /nonexistent-station/a does not exist' });
    // A value from anywhere else still counts.
    expect(
      resolveVariables(['A'], {
        file: { A: '/elsewhere' },
        env: {},
        overrides: {},
        schema: { A: { required: false, default: '/nonexistent-station/a' } },
      }).values,
    ).toEqual({ A: '/elsewhere' });

    writeFileSync(
      join(dir, 'template.json'),
      JSON.stringify({ mcpServers: { s: { command: 'x', args: ['{{ .A }}'] } } }),
    );
    writeFileSync(
      join(dir, 'variables.schema.json'),
      JSON.stringify({ properties: { A: { type: 'string', default: './missing-dir' } } }),
    );
    let error: unknown;
    try {
      loadMcpConfig(dir, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingVariablesError);
    expect((error as MissingVariablesError).missing).toEqual([
      expect.objectContaining({ name: 'A', reason: 'default path ./missing-dir does not exist' }),
    ]);
    expect((error as MissingVariablesError).message).toContain('; default path ./missing-dir does not exist)');
    mkdirSync(join(dir, 'missing-dir'));
    expect(loadMcpConfig(dir, { env: {} }).variables.origin).toEqual({ A: 'default' });
  });
});

describe('variables files', () => {
  it('resolveVariables ignores empty values', () => {
    const r = resolveVariables(['X'], { file: { X: 'file' }, env: { X: '' }, overrides: {}, schema: {} });
    expect(r.values.X).toBe('file');
  });

  it('saveVariables keeps comments and other entries, writes mode 0600 and leaves no temporary file', () => {
    const file = join(dir, 'variables.yml');
    writeFileSync(file, '# my notes\nPROJECT_ROOT: /srv/app # where it lives\n', { mode: 0o644 });
    saveVariables(file, { GITHUB_TOKEN: 'ghp_abc', PROJECT_ROOT: '/srv/new' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# my notes');
    expect(text).toContain('GITHUB_TOKEN: ghp_abc');
    expect(text).toContain('PROJECT_ROOT: /srv/new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['variables.yml']);
  });

  it('saveVariables creates the file with a header when there is none', () => {
    const file = join(dir, 'variables.yml');
    saveVariables(file, { A: '1' });
    expect(readFileSync(file, 'utf8')).toMatch(/^# Variables for the MCP configs[\s\S]*\nA: "1"\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('saveVariables refuses to rewrite a broken variables.yml and leaves it as it was', () => {
    const file = join(dir, 'variables.yml');
    writeFileSync(file, 'A: [unclosed\n');
    expect(() => saveVariables(file, { B: '2' })).toThrow(FileFormatError);
    expect(readFileSync(file, 'utf8')).toBe('A: [unclosed\n');
  });

  it('parseAssignments reads NAME=VALUE and "Name: value", and rejects the rest', () => {
    expect(parseAssignments(['A=1', 'B=x=y', 'A=2'], '--var')).toEqual({ A: '2', B: 'x=y' });
    expect(parseAssignments(['Authorization: Bearer t'], '--header', ':')).toEqual({ Authorization: 'Bearer t' });
    expect(() => parseAssignments(['novalue'], '--var')).toThrow(UsageError);
    expect(() => parseAssignments(['=x'], '--var')).toThrow(/--var expects NAME=VALUE/);
  });
});

describe('bundles written by the original Station', () => {
  it('registry-filesystem-bundle renders from its variables.schema.json default, or its example variables', () => {
    cpSync(join(BUNDLES, 'registry-filesystem-bundle'), dir, { recursive: true });
    // manifest.json, filesystem-bundle.json and variables.schema.json are not server configs.
    expect(discoverMcpConfigs(dir).map((f) => f.file)).toEqual([join(dir, 'template.json')]);
    expect(loadVariablesSchema(dir).ROOT_PATH).toEqual({
      default: '/tmp',
      description: 'Root filesystem path for file operations',
      required: true,
    });
    const byDefault = loadMcpConfig(dir, { env: {} });
    expect(byDefault.servers).toEqual([
      expect.objectContaining({
        name: 'filesystem',
        transport: 'stdio',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-filesystem@latest', '/tmp'],
        disabled: false,
      }),
    ]);
    expect(byDefault.variables.origin.ROOT_PATH).toBe('default');
    cpSync(join(dir, 'examples', 'development.vars.yml'), join(dir, 'variables.yml'));
    expect(loadMcpConfig(dir, { env: {} }).variables.origin.ROOT_PATH).toBe('file');
    writeFileSync(join(dir, 'variables.yml'), 'ROOT_PATH: /home/user/workspace\n');
    const s = loadMcpConfig(dir, { env: {} }).servers[0];
    expect(s?.transport === 'stdio' && s.args[2]).toBe('/home/user/workspace');
  });

  it('station-head-test-sample-environment loads with its variables.yml', () => {
    cpSync(join(BUNDLES, 'station-head-test-sample-environment'), dir, { recursive: true });
    const config = loadMcpConfig(dir, { env: {} });
    expect(config.files[0]).toMatchObject({
      name: 'test-environment',
      description: 'Test environment for build and deployment verification',
    });
    expect(config.servers).toEqual([
      expect.objectContaining({
        name: 'filesystem',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-filesystem@latest', '/workspace'],
      }),
    ]);
  });
});

describe('editing configs (stn mcp add / remove)', () => {
  it('adds stdio and HTTP servers to template.json, creating it when missing', () => {
    expect(
      addServerToConfig(dir, {
        name: 'fs',
        command: 'npx',
        args: ['-y', 'pkg', '{{ .ROOT }}'],
        env: { A: 'b' },
        timeoutMs: 9000,
      }),
    ).toEqual({
      name: 'fs',
      file: 'template.json',
      replaced: false,
    });
    addServerToConfig(dir, {
      name: 'gh',
      url: 'https://api.example.invalid/mcp',
      headers: { Authorization: 'Bearer {{ .GH_TOKEN }}' },
    });
    addServerToConfig(dir, { name: 'old', url: 'https://old.example.invalid/sse', transport: 'sse' });
    expect(JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8'))).toEqual({
      mcpServers: {
        fs: { command: 'npx', args: ['-y', 'pkg', '{{ .ROOT }}'], env: { A: 'b' }, timeout_ms: 9000 },
        gh: { url: 'https://api.example.invalid/mcp', headers: { Authorization: 'Bearer {{ .GH_TOKEN }}' } },
        old: { url: 'https://old.example.invalid/sse', type: 'sse' },
      },
    });
    expect(readMcpServerTemplates(dir).map((s) => s.name)).toEqual(['fs', 'gh', 'old']);
  });

  it('keeps the other keys of the file, refuses a duplicate unless asked to replace it', () => {
    write('template.json', { name: 'env', description: 'mine', mcpServers: { fs: { command: 'a' } } });
    write('more.json', { mcpServers: { gh: { url: 'https://x.invalid' } } });
    expect(() => addServerToConfig(dir, { name: 'gh', command: 'b' })).toThrow(ConflictError);
    expect(addServerToConfig(dir, { name: 'gh', command: 'b', replace: true })).toEqual({
      name: 'gh',
      file: 'more.json',
      replaced: true,
    });
    expect(JSON.parse(readFileSync(join(dir, 'more.json'), 'utf8'))).toEqual({
      mcpServers: { gh: { command: 'b', args: [] } },
    });
    expect(JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8'))).toMatchObject({
      name: 'env',
      description: 'mine',
    });
  });

  it('writes nothing when the result would be invalid', () => {
    const before = JSON.stringify({ mcpServers: {} });
    write('template.json', before);
    expect(() => addServerToConfig(dir, { name: 'bad name', command: 'x' })).toThrow(McpConfigError);
    expect(() => addServerToConfig(dir, { name: 'x', url: 'not a url' })).toThrow(McpConfigError);
    expect(() => addServerToConfig(dir, { name: 'x' })).toThrow(ValidationError);
    expect(() => addServerToConfig(dir, { name: 'x', command: 'a', file: '../escape.json' })).toThrow(ValidationError);
    expect(readFileSync(join(dir, 'template.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['template.json']);
  });

  it('removes a server from the file that defines it', () => {
    write('template.json', { mcpServers: { a: { command: 'a' }, b: { command: 'b' } } });
    write('more.json', { mcpServers: { c: { command: 'c' } } });
    expect(removeServerFromConfig(dir, 'c')).toEqual({ name: 'c', file: 'more.json', replaced: false });
    expect(removeServerFromConfig(dir, 'a').file).toBe('template.json');
    expect(readMcpServerTemplates(dir).map((s) => s.name)).toEqual(['b']);
    expect(() => removeServerFromConfig(dir, 'zz')).toThrow(NotFoundError);
  });

  it('refuses to rewrite a file that only parses once rendered', () => {
    const text = '{"mcpServers": {"a": {"command": "x", "timeout_ms": {{ .T }}}}}';
    write('template.json', text);
    expect(() => addServerToConfig(dir, { name: 'b', command: 'y' })).toThrow(/cannot edit: not valid JSON as written/);
    expect(readFileSync(join(dir, 'template.json'), 'utf8')).toBe(text);
  });
});
