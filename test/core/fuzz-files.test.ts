// Fuzz-style: hundreds of deterministic mutations of each kind of file Station reads. Every one must either
// parse or fail with a StationError (a typed error with an exit code), never a raw Error/TypeError/RangeError.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  discoverMcpConfigs,
  loadMcpConfig,
  mcpConfigWarnings,
  readMcpServerTemplates,
} from '../../src/core/config/mcp-config.js';
import { loadVariablesSchema } from '../../src/core/config/mcp-config-variables.js';
import { DEFAULT_CONFIG_YAML, parseStationConfig } from '../../src/core/config/station-config.js';
import { parseVariables } from '../../src/core/config/variables-file.js';
import { StationError } from '../../src/core/errors.js';
import { parseAgentFile } from '../../src/core/prompt/index.js';
import { mutate, prng } from '../helpers/mutate.js';

const ROOT = new URL('../../templates/', import.meta.url);
const PROMPT = readFileSync(new URL('default/agents/hello.prompt', ROOT), 'utf8');
const EXPLORER = readFileSync(new URL('default/agents/file-explorer.prompt', ROOT), 'utf8');
const TEMPLATE = readFileSync(new URL('default/template.json', ROOT), 'utf8');
const VARIABLES = 'A: one\nPROJECT_ROOT: /tmp/x\nPORT: "8080"\n# comment\nLIST: &l [1, 2]\nCOPY: *l\n';
const SCHEMA = JSON.stringify({ type: 'object', properties: { PROJECT_ROOT: { type: 'string' } }, required: [] });

const COUNT = 300;
const dir = mkdtempSync(join(tmpdir(), 'station-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn` on COUNT mutations of `base`; returns how many parsed and the first non-Station error. */
function fuzz(seed: number, base: string, fn: (text: string) => unknown): { ok: number; failed: number } {
  const rand = prng(seed);
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < COUNT; i++) {
    const text = mutate(base, rand);
    try {
      fn(text);
      ok++;
    } catch (error) {
      if (!(error instanceof StationError)) {
        throw new Error(
          `mutation ${i} (seed ${seed}) threw ${(error as Error).name}: ${(error as Error).message}\n--- text ---\n${text}`,
        );
      }
      failed++;
    }
  }
  return { ok, failed };
}

describe('fuzzed files fail with a StationError or parse', () => {
  it('.prompt files', () => {
    const a = fuzz(1, PROMPT, (t) => parseAgentFile('/env/agents/hello.prompt', t));
    const b = fuzz(2, EXPLORER, (t) => parseAgentFile('/env/agents/file-explorer.prompt', t));
    expect(a.ok + a.failed + b.ok + b.failed).toBe(2 * COUNT);
    expect(a.failed).toBeGreaterThan(0);
  });

  it('variables.yml', () => {
    const r = fuzz(3, VARIABLES, (t) => parseVariables('/env/variables.yml', t));
    expect(r.failed).toBeGreaterThan(0);
  });

  it('config.yaml', () => {
    const r = fuzz(4, DEFAULT_CONFIG_YAML, (t) => parseStationConfig('/home/config.yaml', t));
    expect(r.failed).toBeGreaterThan(0);
  });

  it('template.json (discovered, read as templates, and loaded with variables)', () => {
    const env = join(dir, 'json');
    mkdirSync(env, { recursive: true });
    const r = fuzz(5, TEMPLATE, (t) => {
      writeFileSync(join(env, 'template.json'), t);
      // The typo check runs before anything else reads the file: it never throws, whatever the file.
      expect(() => mcpConfigWarnings(env)).not.toThrow();
      const files = discoverMcpConfigs(env);
      readMcpServerTemplates(env, files);
      loadMcpConfig(env, { env: {}, overrides: { PROJECT_ROOT: '/tmp' } });
    });
    expect(r.failed).toBeGreaterThan(0);
  });

  it('variables.schema.json', () => {
    const env = join(dir, 'schema');
    mkdirSync(env, { recursive: true });
    fuzz(6, SCHEMA, (t) => {
      writeFileSync(join(env, 'variables.schema.json'), t);
      loadVariablesSchema(env);
    });
  });
});
