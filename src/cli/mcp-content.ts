/**
 * MCP answers for a terminal (`stn mcp call`, `stn mcp read`): text as text, JSON pretty, images, audio and
 * blobs saved to files whose paths are printed, resource links listed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseJsonObjectFlag, type ResourceContents } from '../core/index.js';
import { formatBytes, type StyleName } from './output.js';

type Style = Record<StyleName, (text: string) => string>;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'application/pdf': 'pdf',
  'application/json': 'json',
  'application/gzip': 'gz',
  'application/zip': 'zip',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

/**
 * Writes base64 payloads as files into one folder: `--out-dir`, else a new private folder under the OS temp
 * folder, made on the first file (so an answer without binaries creates nothing).
 */
export class PayloadFiles {
  private dir: string | undefined;
  private count = 0;

  constructor(
    private readonly base: string,
    private readonly outDir?: string,
  ) {}

  /** Saves a payload and returns its absolute path: `<base>-<n>.<ext>`, the extension from the MIME type or name. */
  save(base64: string, mimeType: string | null, nameHint = ''): { path: string; bytes: number } {
    this.dir ??= this.makeDir();
    const bytes = Buffer.from(base64, 'base64');
    const hinted = extname(nameHint.split(/[?#]/)[0] ?? '').slice(1);
    const ext = EXTENSIONS[mimeType ?? ''] ?? (/^[a-z0-9]{1,8}$/i.test(hinted) ? hinted : 'bin');
    const path = join(this.dir, `${this.base.replace(/[^A-Za-z0-9_.-]/g, '_')}-${String(++this.count)}.${ext}`);
    writeFileSync(path, bytes, { mode: 0o600 });
    return { path, bytes: bytes.length };
  }

  private makeDir(): string {
    if (this.outDir === undefined) return mkdtempSync(join(tmpdir(), 'stn-mcp-'));
    const dir = resolve(this.outDir);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** The lines that show a tool's content items and structured content. */
export function toolResultLines(
  content: readonly unknown[],
  structuredContent: unknown,
  files: PayloadFiles,
  s: Style,
): string[] {
  const lines: string[] = [];
  const shownJson: string[] = [];
  for (const item of content) {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const mime = typeof c.mimeType === 'string' ? c.mimeType : null;
    switch (c.type) {
      case 'text': {
        const text = typeof c.text === 'string' ? c.text : '';
        const json = prettyJson(text);
        if (json !== undefined) shownJson.push(JSON.stringify(JSON.parse(text)));
        lines.push(json ?? text);
        break;
      }
      case 'image':
      case 'audio': {
        const saved = files.save(typeof c.data === 'string' ? c.data : '', mime);
        lines.push(`${s.dim(`[${c.type} ${mime ?? '?'}, ${formatBytes(saved.bytes)}]`)} ${saved.path}`);
        break;
      }
      case 'resource': {
        const r = (typeof c.resource === 'object' && c.resource !== null ? c.resource : {}) as Record<string, unknown>;
        lines.push(
          ...contentsLines(
            [
              {
                uri: typeof r.uri === 'string' ? r.uri : '',
                mimeType: typeof r.mimeType === 'string' ? r.mimeType : null,
                ...(typeof r.text === 'string' ? { text: r.text } : {}),
                ...(typeof r.blob === 'string' ? { blob: r.blob } : {}),
              },
            ],
            files,
            s,
            true,
          ),
        );
        break;
      }
      case 'resource_link': {
        const uri = typeof c.uri === 'string' ? c.uri : '';
        const name = typeof c.name === 'string' ? c.name : '';
        const description = typeof c.description === 'string' ? `: ${c.description}` : '';
        lines.push(
          `${s.dim('[resource link]')} ${uri}${name === '' ? '' : ` ${name}`}${mime === null ? '' : ` (${mime})`}${description}`,
        );
        break;
      }
      default:
        lines.push(JSON.stringify(item, null, 2));
    }
  }
  if (structuredContent !== undefined && !shownJson.includes(JSON.stringify(structuredContent))) {
    lines.push(s.dim('structured content:'), JSON.stringify(structuredContent, null, 2));
  }
  return lines;
}

/** The lines that show a resource's contents: text as text (JSON pretty), blobs saved to files. */
export function contentsLines(
  contents: readonly ResourceContents[],
  files: PayloadFiles,
  s: Style,
  labelled = contents.length > 1,
): string[] {
  const lines: string[] = [];
  for (const c of contents) {
    const mime = c.mimeType === null ? '' : ` (${c.mimeType})`;
    if (c.blob !== undefined) {
      const saved = files.save(c.blob, c.mimeType, c.uri);
      lines.push(`${s.dim(`[resource ${c.uri}${mime}, ${formatBytes(saved.bytes)}]`)} ${saved.path}`);
      continue;
    }
    if (labelled) lines.push(s.dim(`[resource ${c.uri}${mime}]`));
    const text = c.text ?? '';
    lines.push(prettyJson(text) ?? text);
  }
  return lines;
}

/** Text that is a JSON object or array, indented; undefined for any other text. */
function prettyJson(text: string): string | undefined {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return undefined;
  }
}

/** `--args JSON|@file`: a JSON object of tool arguments (default: none), read as `--input` is. */
export function parseArgsFlag(value: string | undefined, read: (file: string) => string): Record<string, unknown> {
  if (value === undefined) return {};
  return parseJsonObjectFlag(value, {
    flag: '--args',
    field: 'args',
    noun: 'arguments',
    example: '{"path": "README.md"}',
    read,
  });
}
