import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GEMINI_OPENAI_BASE_URL,
  migrateConfigFile,
  migrateConfigText,
} from '../../../src/core/config/original-config.js';
import { readStationConfig } from '../../../src/core/config/station-config.js';

/** A config.yaml as the original Station's `stn init` wrote it (FORMATS.md). */
const ORIGINAL = `# Station configuration
encryption_key: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
database_url: station.db
ssh_port: 2222
mcp_port: 3000
api_port: 9090
admin_username: admin
debug: false
local_mode: true
ai_provider: openai
ai_model: gpt-5-mini
ai_api_key: \${OPENAI_KEY_FOR_STATION}
ai_base_url: http://127.0.0.1:11434/v1
workspace: /srv/work
telemetry_enabled: false
otel_endpoint: http://127.0.0.1:4318
# a key of another tool
other_tool:
  setting: 1
`;

describe("reading the original Station's config.yaml", () => {
  it("reads its keys as Station's, with one notice per key naming the new key", () => {
    const { config, warnings } = readStationConfig('/h/config.yaml', ORIGINAL);
    expect(config.model.name).toBe('gpt-5-mini');
    expect(config.model.baseUrl).toBe('http://127.0.0.1:11434/v1');
    expect(config.model.apiKeyEnv).toBe('OPENAI_KEY_FOR_STATION');
    expect(config.server.port).toBe(9090);
    const byKey = new Map(warnings.map((w) => [w.key, w.message]));
    // 15 keys of the original, one notice each; other_tool is an unknown key as before.
    expect(warnings.filter((w) => !w.message.includes('unknown key'))).toHaveLength(15);
    expect(byKey.get('ai_model')).toBe(
      '/h/config.yaml:11:1: "ai_model" is the original Station\'s key: read as model.name; run `stn config migrate` to rewrite the file',
    );
    expect(byKey.get('api_port')).toContain('read as server.port');
    expect(byKey.get('ai_api_key')).toContain('read as model.api_key_env');
    expect(byKey.get('mcp_port')).toContain('(ignored)');
    expect(byKey.get('encryption_key')).toContain('STATION_ENCRYPTION_KEY');
    // The notices never repeat a value (the key of encryption_key, a URL with a token).
    for (const w of warnings) expect(w.message).not.toContain('0123456789abcdef');
  });

  it("takes Station's own key over the original's when both are set", () => {
    const { config, warnings } = readStationConfig('c.yaml', 'ai_model: old\nmodel:\n  name: new\n');
    expect(config.model.name).toBe('new');
    expect(warnings.map((w) => w.message)).toEqual([
      'c.yaml:1:1: "ai_model" is the original Station\'s key for model.name, which is also set and wins; run `stn config migrate` to rewrite the file',
    ]);
  });

  it("maps ai_provider gemini to Gemini's OpenAI-compatible endpoint, and never reads a key written in the file", () => {
    const { config, warnings } = readStationConfig('c.yaml', 'ai_provider: gemini\nai_api_key: sk-secret-value\n');
    expect(config.model.baseUrl).toBe(GEMINI_OPENAI_BASE_URL);
    expect(config.model.apiKeyEnv).toBe('OPENAI_API_KEY');
    const message = warnings.find((w) => w.key === 'ai_api_key')?.message ?? '';
    expect(message).toContain('never reads a key from config.yaml');
    expect(message).not.toContain('sk-secret-value');
  });
});

describe('migrating config.yaml', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'station-migrate-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("rewrites the original's keys as Station's and keeps other keys and comments", () => {
    const { text, changes } = migrateConfigText('c.yaml', ORIGINAL);
    const { config, warnings } = readStationConfig('c.yaml', text);
    expect(config.model.name).toBe('gpt-5-mini');
    expect(config.model.baseUrl).toBe('http://127.0.0.1:11434/v1');
    expect(config.model.apiKeyEnv).toBe('OPENAI_KEY_FOR_STATION');
    expect(config.server.port).toBe(9090);
    expect(warnings.map((w) => w.key)).toEqual(['other_tool']);
    expect(text).toContain('# Station configuration');
    expect(text).toContain('# a key of another tool\nother_tool:\n  setting: 1\n');
    expect(text).toMatch(/^model:\n {2}name: gpt-5-mini\n/m);
    expect(changes.find((c) => c.key === 'ai_model')).toEqual({
      key: 'ai_model',
      action: 'renamed',
      newKey: 'model.name',
    });
    expect(changes.find((c) => c.key === 'ssh_port')?.action).toBe('dropped');
  });

  it('leaves a key written in ai_api_key in place (a secret is never moved silently)', () => {
    const { text, changes } = migrateConfigText('c.yaml', 'ai_model: m\nai_api_key: sk-abc\n');
    expect(text).toBe('ai_api_key: sk-abc\nmodel:\n  name: m\n');
    expect(changes.find((c) => c.key === 'ai_api_key')?.action).toBe('kept');
  });

  it('backs up the old file, writes the new one atomically with its mode, and does nothing on a dry run', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, ORIGINAL, { mode: 0o600 });
    const dry = migrateConfigFile(file, { dryRun: true });
    expect(dry.changed).toBe(true);
    expect(dry.backup).toBeNull();
    expect(dry.diff).toContain('-ai_model: gpt-5-mini');
    expect(dry.diff).toContain('+  name: gpt-5-mini');
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(readdirSync(dir)).toEqual(['config.yaml']);

    const done = migrateConfigFile(file, { now: new Date('2026-01-02T03:04:05Z') });
    expect(done.backup).toBe(`${file}.20260102T030405Z.bak`);
    expect(readFileSync(done.backup ?? '', 'utf8')).toBe(ORIGINAL);
    expect(statSync(done.backup ?? '').mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('ai_model');
    expect(readdirSync(dir).sort()).toEqual(['config.yaml', 'config.yaml.20260102T030405Z.bak']);

    const again = migrateConfigFile(file);
    expect(again.changed).toBe(false);
    expect(again.backup).toBeNull();
  });
});
