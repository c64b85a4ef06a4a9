import type { Alias, Document, Node, LineCounter } from 'yaml';
import { yaml } from './yaml-lib.js';
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
    this.value = this.toValue();
  }

  /**
   * The document as plain data. The yaml library finds some errors only here (an alias to an anchor that
   * is never set, an alias bomb over MAX_ALIAS_COUNT): they become FileFormatError at the alias at fault.
   */
  private toValue(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    } catch (error) {
      const message = error instanceof Error ? firstLine(error.message) : String(error);
      const culprit = culpritAlias(this.doc);
      const pos = culprit === undefined ? { file: this.file } : this.positionOfNode(culprit.node, culprit.path);
      const what = /excessive alias count/i.test(message)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}; is this an alias bomb?)`
        : message;
      throw new FileFormatError(pos, `invalid YAML: ${what}`, errorOptions(this.options));
    }
  }

  private positionOfNode(node: Node, path: readonly (string | number)[]): FilePosition {
    const key = path.map(String).join('.');
    const offset = node.range?.[0];
    const keyPart = key === '' ? {} : { key };
    if (offset === undefined) return { file: this.file, ...keyPart };
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line + (this.options.lineOffset ?? 0), column: pos.col, ...keyPart };
  }

  /** Parses YAML; a syntax error throws FileFormatError with the file, line and column. */
  static parse(file: string, text: string, options: YamlParseOptions = {}): YamlSource {
    const lines = new (yaml().LineCounter)();
    const doc = yaml().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
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
      if (yaml().isMap(node) || yaml().isSeq(node)) {
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

  /** Position of the key at the end of `path` (where `key:` is written), else that of its value. */
  keyPositionOf(path: readonly (string | number)[]): FilePosition {
    const last = path.at(-1);
    let parent: unknown = this.doc.contents;
    for (const segment of path.slice(0, -1)) {
      parent = yaml().isMap(parent) || yaml().isSeq(parent) ? parent.get(segment, true) : undefined;
    }
    if (last !== undefined && yaml().isMap(parent)) {
      const pair = parent.items.find((p) => String(yaml().isScalar(p.key) ? p.key.value : p.key) === String(last));
      const offset = isNode(pair?.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined) {
        const pos = this.lines.linePos(offset);
        return {
          file: this.file,
          line: pos.line + (this.options.lineOffset ?? 0),
          column: pos.col,
          key: path.map(String).join('.'),
        };
      }
    }
    return this.positionOf(path);
  }

  /** An error about the value at `path`, positioned in the file. */
  errorAt(path: readonly (string | number)[], message: string): FileFormatError {
    return new FileFormatError(this.positionOf(path), message, errorOptions(this.options));
  }
}

/** Upper bound on alias expansions while converting a document (the yaml library's check). */
const MAX_ALIAS_COUNT = 100;

interface AliasAt {
  node: Alias;
  path: (string | number)[];
}

/**
 * The alias a late conversion error is most likely about: the first one whose anchor is not set before it,
 * else the first one whose anchored node itself holds aliases (nested expansion), else the first alias.
 */
function culpritAlias(doc: Document): AliasAt | undefined {
  const aliases: AliasAt[] = [];
  yaml().visit(doc, {
    Alias(_key, node, ancestry) {
      aliases.push({ node, path: keyPath(ancestry, node) });
    },
  });
  const unresolved = aliases.find((a) => a.node.resolve(doc) === undefined);
  if (unresolved !== undefined) return unresolved;
  const nested = aliases.find((a) => {
    const target = a.node.resolve(doc);
    return target !== undefined && containsAlias(target);
  });
  return nested ?? aliases[0];
}

function containsAlias(node: unknown): boolean {
  let found = false;
  if (!yaml().isCollection(node)) return false;
  yaml().visit(node, {
    Alias() {
      found = true;
      return yaml().visit.BREAK;
    },
  });
  return found;
}

/** The key path (map keys, sequence indexes) of `node` from its ancestors as `visit` gives them. */
function keyPath(ancestry: readonly unknown[], node: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 0; i < ancestry.length; i++) {
    const item = ancestry[i];
    const next = i + 1 < ancestry.length ? ancestry[i + 1] : node;
    if (yaml().isPair(item)) {
      const k: unknown = item.key;
      path.push(yaml().isScalar(k) ? String(k.value) : String(k));
    } else if (yaml().isSeq(item)) {
      path.push(item.items.indexOf(next));
    }
  }
  return path;
}

function isNode(value: unknown): value is Node {
  return yaml().isMap(value) || yaml().isSeq(value) || yaml().isScalar(value);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function errorOptions(options: YamlParseOptions): { exitCode?: ExitCodeValue } {
  return options.exitCode === undefined ? {} : { exitCode: options.exitCode };
}
