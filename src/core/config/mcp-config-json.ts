/** Small helpers for reading JSON config files with useful error positions. */
import type { FilePosition } from '../errors.js';

/** The file position of a JSON.parse error (V8 reports an offset, sometimes a line and column). */
export function jsonErrorPosition(file: string, text: string, error: unknown): FilePosition {
  const message = error instanceof Error ? error.message : '';
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol !== null) return { file, line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const offset = /position (\d+)/.exec(message);
  const at = offset !== null ? Number(offset[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  if (at === undefined) return { file };
  return { file, ...lineColumnAt(text, at) };
}

/** 1-based line and column of an offset in a text. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
