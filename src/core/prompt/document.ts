import { FileFormatError } from '../errors.js';

/** A `.prompt` file split into its YAML frontmatter and its template body. */
export interface PromptDocument {
  /** The YAML between the `---` lines ('' when the file has no frontmatter). */
  frontmatter: string;
  /** 1-based line of the file on which the frontmatter text starts. */
  frontmatterLine: number;
  /** The template body, trimmed (as dotprompt does when a file has frontmatter). */
  body: string;
  /** 1-based line of the file on which `body` starts. */
  bodyLine: number;
  hasFrontmatter: boolean;
}

const DELIMITER = /^---[ \t]*$/;

/** Normalises line endings and a byte-order mark, so positions and output are the same on every OS. */
export function normalizeText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Splits a `.prompt` file: an opening `---` line, YAML, a closing `---` line, then the body. A file that
 * does not start with `---` has no frontmatter and is all body.
 */
export function splitPromptDocument(file: string, text: string): PromptDocument {
  const source = normalizeText(text);
  const lines = source.split('\n');
  if (!DELIMITER.test(lines[0] ?? '')) {
    return { frontmatter: '', frontmatterLine: 1, ...trimmedBody(lines, 0), hasFrontmatter: false };
  }
  const close = lines.findIndex((line, i) => i > 0 && DELIMITER.test(line));
  if (close < 0) {
    throw new FileFormatError({ file, line: 1 }, 'the frontmatter starts with "---" but has no closing "---" line', {
      hints: ['End the YAML frontmatter with a line containing only "---", then write the template.'],
    });
  }
  return {
    frontmatter: lines.slice(1, close).join('\n'),
    frontmatterLine: 2,
    ...trimmedBody(lines, close + 1),
    hasFrontmatter: true,
  };
}

function trimmedBody(lines: readonly string[], from: number): { body: string; bodyLine: number } {
  let first = from;
  while (first < lines.length && (lines[first] ?? '').trim() === '') first++;
  return { body: lines.slice(from).join('\n').trim(), bodyLine: first + 1 };
}
