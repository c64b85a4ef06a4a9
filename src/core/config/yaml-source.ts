import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { FileFormatError, type ExitCodeValue, type FilePosition } from '../errors.js';

export interface YamlParseOptions {
  /** Exit code for errors in this file (config files use ExitCode.CONFIG). */
  exitCode?: ExitCodeValue;
  /** Line number of the first line of `text` within the file (for YAML embedded in another file). */
  lineOffset?: number;
}

/**
 * A parsed YAML text that still knows where every key is, so that a wrong type found after parsing
 * can be reported as file:line:column with the key.
 */
export class YamlSource {
  readonly value: unknown;
  private readonly doc: Document;
  private readonly lines: LineCounter;

  private constructor(
    readonly file: string,
    doc: Document,
    lines: LineCounter,
    private readonly options: YamlParseOptions,
  ) {
    this.doc = doc;
    this.lines = lines;
    this.value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  }

  /** Parses YAML; a syntax error throws FileFormatError with the file, line and column. */
  static parse(file: string, text: string, options: YamlParseOptions = {}): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first !== undefined) {
      const pos = lines.linePos(first.pos[0]);
      throw new FileFormatError(
        { file, line: pos.line + (options.lineOffset ?? 0), column: pos.col },
        `invalid YAML: ${firstLine(first.message)}`,
        errorOptions(options),
      );
    }
    return new YamlSource(file, doc, lines, options);
  }

  /** Position of the value at `path` (or of its nearest existing parent). */
  positionOf(path: readonly (string | number)[]): FilePosition {
    let node: unknown = this.doc.contents;
    let found: Node | undefined = isNode(node) ? node : undefined;
    for (const segment of path) {
      if (isMap(node) || isSeq(node)) {
        const next: unknown = node.get(segment, true);
        if (!isNode(next)) break;
        node = next;
        found = next;
      } else break;
    }
    const key = path.map(String).join('.');
    const offset = found?.range?.[0];
    if (offset === undefined) return { file: this.file, ...(key === '' ? {} : { key }) };
    const pos = this.lines.linePos(offset);
    return {
      file: this.file,
      line: pos.line + (this.options.lineOffset ?? 0),
      column: pos.col,
      ...(key === '' ? {} : { key }),
    };
  }

  /** An error about the value at `path`, positioned in the file. */
  errorAt(path: readonly (string | number)[], message: string): FileFormatError {
    return new FileFormatError(this.positionOf(path), message, errorOptions(this.options));
  }
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function errorOptions(options: YamlParseOptions): { exitCode?: ExitCodeValue } {
  return options.exitCode === undefined ? {} : { exitCode: options.exitCode };
}
