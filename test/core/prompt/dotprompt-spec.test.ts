/**
 * Google's dotprompt spec suite (test/fixtures/dotprompt-spec, Apache-2.0), run through Station's renderer.
 * Each case is checked three ways:
 *  1. the full render (messages and metadata) and renderMetadata, as Google's own JS runner checks them,
 *     except that `input` is compared on renderMetadata only: dotprompt's render() drops it from its result
 *     on purpose ("Discard the input schema as once rendered it doesn't make sense", js/src/dotprompt.ts);
 *  2. Station's chat messages (text joined, model -> assistant, blank lines around role markers and
 *     trailing whitespace dropped, empty messages dropped) match the expected messages; the cases
 *     whose messages chat text cannot carry are listed in UNSUPPORTED_IN_CHAT with the reason;
 *  3. for cases with a schema, Station's synchronous Picoschema converter gives the expected JSON Schema.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataArgument, Message } from 'dotprompt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ValidationError } from '../../../src/core/errors.js';
import {
  createPromptRenderer,
  picoschemaToJsonSchema,
  splitPromptDocument,
  toChatMessages,
} from '../../../src/core/prompt/index.js';

const SPEC_DIR = fileURLToPath(new URL('../../fixtures/dotprompt-spec', import.meta.url));

interface SpecCase {
  desc?: string;
  data?: DataArgument;
  options?: Record<string, unknown>;
  expect: Record<string, unknown> & { messages?: Message[] };
}
interface SpecSuite {
  name: string;
  template: string;
  data?: DataArgument;
  schemas?: Record<string, Record<string, unknown>>;
  partials?: Record<string, string>;
  resolverPartials?: Record<string, string>;
  tests: SpecCase[];
}

/** Spec cases whose expected messages Station's text chat messages cannot carry, and why. */
const UNSUPPORTED_IN_CHAT: Record<string, string> = {
  'helpers/media.yaml > basic > renders media part': 'media parts: Station sends text-only chat messages',
  'helpers/media.yaml > url_only > renders media part with url only':
    'media parts: Station sends text-only chat messages',
  'helpers/media.yaml > content_types > renders video content type':
    'media parts: Station sends text-only chat messages',
  'helpers/media.yaml > content_types > renders audio content type':
    'media parts: Station sends text-only chat messages',
  'helpers/section.yaml > basic_section > renders sequential sections with proper metadata and content boundaries':
    'pending section parts are placeholders for a caller to fill; Station has no section feature',
  'helpers/section.yaml > nested_sections > handles nested and reopened sections with proper metadata boundaries':
    'pending section parts are placeholders for a caller to fill; Station has no section feature',
};

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.yaml'))
    .map((d) => relative(SPEC_DIR, join(d.parentPath, d.name)))
    .sort();
}

const CASES = specFiles(SPEC_DIR).flatMap((file) =>
  (parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as SpecSuite[]).flatMap((suite) =>
    suite.tests.map((tc, i) => ({ id: `${file} > ${suite.name} > ${tc.desc ?? `case ${String(i + 1)}`}`, suite, tc })),
  ),
);

const ROLE: Record<string, string> = { system: 'system', user: 'user', model: 'assistant' };

function expectedChat(messages: readonly Message[]): { role: string; content: string }[] | undefined {
  const out: { role: string; content: string }[] = [];
  for (const m of messages) {
    const role = ROLE[m.role];
    if (role === undefined || m.content.some((p) => typeof p.text !== 'string')) return undefined;
    // Station drops the blank lines around role markers and trailing whitespace, and empty messages.
    const content = m.content
      .map((p) => p.text ?? '')
      .join('')
      .replace(/^(?:[ \t]*\n)+/, '')
      .trimEnd();
    if (content !== '') out.push({ role, content });
  }
  return out;
}

describe('dotprompt spec suite', () => {
  it('has every spec file and the cases it should have', () => {
    expect(specFiles(SPEC_DIR)).toEqual([
      'helpers/history.yaml',
      'helpers/ifEquals.yaml',
      'helpers/json.yaml',
      'helpers/media.yaml',
      'helpers/role.yaml',
      'helpers/section.yaml',
      'helpers/unlessEquals.yaml',
      'metadata.yaml',
      'partials.yaml',
      'picoschema.yaml',
      'unicode.yaml',
      'variables.yaml',
      'whitespace.yaml',
    ]);
    expect(CASES.length).toBeGreaterThan(100);
    // The list of unsupported cases names real cases, and exactly those whose messages are not plain text.
    const ids = new Set(CASES.map((c) => c.id));
    for (const id of Object.keys(UNSUPPORTED_IN_CHAT)) expect(ids, id).toContain(id);
    const notText = CASES.filter((c) => expectedChat(c.tc.expect.messages ?? []) === undefined).map((c) => c.id);
    expect(notText.sort()).toEqual(Object.keys(UNSUPPORTED_IN_CHAT).sort());
  });

  for (const { id, suite, tc } of CASES) {
    it(id, async () => {
      const renderer = await createPromptRenderer({
        ...(suite.schemas === undefined ? {} : { schemas: suite.schemas }),
        partialResolver: (name: string) => suite.resolverPartials?.[name] ?? null,
      });
      for (const [name, source] of Object.entries(suite.partials ?? {})) renderer.definePartial(name, source);
      const data: DataArgument = { ...suite.data, ...tc.data };

      // 1. The full render and the metadata, compared as Google's JS runner compares them.
      const { raw, ...result } = await renderer.render(suite.template, data, tc.options);
      const { raw: expectRaw, ...expected } = tc.expect;
      const { input: _input, ...expectedRender } = expected;
      expect(result).toEqual({
        ...expectedRender,
        ext: expected.ext ?? {},
        config: expected.config ?? {},
        metadata: expected.metadata ?? {},
      });
      if (expectRaw !== undefined) expect(raw).toEqual(expectRaw);
      const { raw: _metaRaw, ...metadata } = await renderer.renderMetadata(suite.template, tc.options);
      const { messages: _messages, ...expectedMetadata } = expected;
      expect(metadata).toEqual({
        ...expectedMetadata,
        ext: expectedMetadata.ext ?? {},
        config: expectedMetadata.config ?? {},
        metadata: expectedMetadata.metadata ?? {},
      });

      // 2. Station's chat messages.
      const chat = expectedChat(tc.expect.messages ?? []);
      if (chat === undefined) {
        expect(UNSUPPORTED_IN_CHAT[id]).toBeDefined();
        expect(() => toChatMessages(result.messages)).toThrow(ValidationError);
      } else {
        expect(toChatMessages(result.messages)).toEqual(chat);
      }

      // 3. Station's synchronous Picoschema converter.
      const doc = splitPromptDocument('spec.prompt', suite.template);
      const fm = (doc.hasFrontmatter ? parse(doc.frontmatter) : null) as {
        input?: { schema?: unknown };
        output?: { schema?: unknown };
      } | null;
      const resolve = (name: string): Record<string, unknown> | undefined => suite.schemas?.[name];
      for (const key of ['input', 'output'] as const) {
        const schema = fm?.[key]?.schema;
        if (schema === undefined || schema === null) continue;
        const want = (tc.expect[key] as { schema?: unknown } | undefined)?.schema;
        expect(picoschemaToJsonSchema(structuredClone(schema), { resolve })).toEqual(want);
      }
    });
  }
});
