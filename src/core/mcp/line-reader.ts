/**
 * Splits a stdio byte stream into lines (one JSON-RPC message each) while holding at most `maxLineBytes`
 * of any line. A longer line is not kept: its bytes are counted and dropped up to the next newline, and
 * only its first and last bytes are remembered (where a JSON-RPC id can be found), so a server that
 * writes a huge message costs no memory and the stream stays in step for the messages after it.
 */

/** Bytes kept from each end of a line that is too long. */
const EDGE_BYTES = 256;
const NEWLINE = 0x0a;

export interface OversizedLine {
  /** Bytes of the line so far (all of it once `done`). */
  bytes: number;
  /** The first bytes of the line. */
  head: string;
  /** The last bytes of the line ('' until `done`). */
  tail: string;
  /** False when the line has just gone over the limit, true when its end has been read. */
  done: boolean;
}

export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private skipped: { bytes: number; head: Buffer; tail: Buffer } | undefined;

  constructor(
    readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversized: (line: OversizedLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.take(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** Drops whatever was read of an unfinished line. */
  clear(): void {
    this.parts = [];
    this.size = 0;
    this.skipped = undefined;
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    const skipped = this.skipped;
    if (skipped !== undefined) {
      skipped.bytes += piece.length;
      skipped.tail = lastBytes([skipped.tail, piece]);
      return;
    }
    if (this.size + piece.length <= this.maxLineBytes) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    const parts = [...this.parts, piece];
    const head = firstBytes(parts);
    this.skipped = { bytes: this.size + piece.length, head, tail: lastBytes(parts) };
    this.parts = [];
    this.size = 0;
    this.onOversized({ bytes: this.skipped.bytes, head: head.toString('utf8'), tail: '', done: false });
  }

  private endLine(): void {
    const skipped = this.skipped;
    if (skipped !== undefined) {
      this.skipped = undefined;
      const tail = skipped.tail.toString('utf8').replace(/\r$/, '');
      this.onOversized({ bytes: skipped.bytes, head: skipped.head.toString('utf8'), tail, done: true });
      return;
    }
    const [only] = this.parts;
    const line = (only !== undefined && this.parts.length === 1 ? only : Buffer.concat(this.parts)).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.onLine(line.replace(/\r$/, ''));
  }
}

/** The first EDGE_BYTES of these buffers joined (copying no more than that). */
function firstBytes(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    if (size >= EDGE_BYTES) break;
    const piece = part.subarray(0, EDGE_BYTES - size);
    out.push(piece);
    size += piece.length;
  }
  return Buffer.concat(out);
}

/** The last EDGE_BYTES of these buffers joined (copying no more than that). */
function lastBytes(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (const part of [...parts].reverse()) {
    if (size >= EDGE_BYTES) break;
    const piece = part.subarray(Math.max(0, part.length - (EDGE_BYTES - size)));
    out.unshift(piece);
    size += piece.length;
  }
  return Buffer.concat(out);
}
