// The typo checks must never cry wolf: real files (the original Station's agents and bundles, Google's dotprompt
// spec templates) and the files Station writes itself give no warning at all.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mcpConfigWarnings } from '../../../src/core/config/mcp-config.js';
import { DEFAULT_CONFIG_YAML, readStationConfig } from '../../../src/core/config/station-config.js';
import { checkKeys } from '../../../src/core/config/unknown-keys.js';
import { YamlSource } from '../../../src/core/config/yaml-source.js';
import { FRONTMATTER_KEYS, splitPromptDocument } from '../../../src/core/prompt/index.js';
import { readAgentFile } from '../../../src/core/prompt/parse.js';
import { serializeAgent } from '../../../src/core/prompt/serialize.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ending))
    .sort()
    .map((f) => join(dir, f));
}

const AGENT_FILES = [
  ...filesUnder(join(FIXTURES, 'agents'), '.prompt'),
  ...filesUnder(join(FIXTURES, 'bundles'), '.prompt'),
  ...filesUnder(join(TEMPLATES, 'default', 'agents'), '.prompt'),
];
const ENVIRONMENT_FOLDERS = [
  ...readdirSync(join(FIXTURES, 'bundles'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(FIXTURES, 'bundles', d.name)),
  join(TEMPLATES, 'default'),
  join(TEMPLATES, 'environment'),
];

describe('no typo warnings for real agent files', () => {
  it('covers every fixture agent and the agents `stn init` writes', () => {
    expect(AGENT_FILES.length).toBe(13);
  });

  for (const file of AGENT_FILES) {
    it(`${file.slice(FIXTURES.length - 'fixtures'.length)}: none, and none in its canonical rewrite`, () => {
      const { agent, warnings } = readAgentFile(file, readFileSync(file, 'utf8'));
      expect(warnings).toEqual([]);
      expect(readAgentFile(file, serializeAgent(agent)).warnings).toEqual([]);
    });
  }

  it("none for the frontmatter of Google's dotprompt spec templates (extension keys, custom keys)", () => {
    const templates = filesUnder(join(FIXTURES, 'dotprompt-spec'), '.yaml').flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as { template?: string }[]).map((s) => ({ file, text: s.template ?? '' })),
    );
    const withFrontmatter = templates.filter((t) => t.text.startsWith('---'));
    expect(withFrontmatter.length).toBeGreaterThan(5);
    // Some are no valid agents (a schema that is not a set of fields): check their keys only.
    for (const t of withFrontmatter) {
      const source = YamlSource.parse(t.file, splitPromptDocument(t.file, t.text).frontmatter);
      expect(checkKeys(source.value, FRONTMATTER_KEYS, (path) => source.keyPositionOf(path))).toEqual([]);
    }
  });
});

describe('no typo warnings for real MCP configs and config.yaml', () => {
  for (const dir of ENVIRONMENT_FOLDERS) {
    it(`${dir.slice(dir.lastIndexOf('/', dir.lastIndexOf('/') - 1) + 1)}: none (registry metadata, manifest.json, autoApprove)`, () => {
      expect(mcpConfigWarnings(dir)).toEqual([]);
    });
  }

  it('none for the config.yaml `stn init` writes', () => {
    expect(readStationConfig('config.yaml', DEFAULT_CONFIG_YAML).warnings).toEqual([]);
  });
});
