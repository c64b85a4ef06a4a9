/** Cutting large tool results before they reach the model (the run record keeps them whole). */

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Size of the original text in UTF-8 bytes. */
  bytes: number;
}

/**
 * Keeps at most `maxBytes` UTF-8 bytes of `text`: the head and the tail, with a marker between them
 * saying how much was left out. Never splits a character.
 */
export function truncateMiddle(text: string, maxBytes: number): Truncated {
  const buffer = Buffer.from(text, 'utf8');
  const bytes = buffer.length;
  if (bytes <= maxBytes) return { text, truncated: false, bytes };
  const marker = (omitted: number): string =>
    `\n\n[... ${String(omitted)} of ${String(bytes)} bytes cut here; the whole result is kept in the run record ...]\n\n`;
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker(bytes)));
  const headEnd = charStart(buffer, Math.ceil(room / 2));
  const tailStart = charStart(buffer, bytes - Math.floor(room / 2), 1);
  const head = buffer.subarray(0, headEnd).toString('utf8');
  const tail = buffer.subarray(tailStart).toString('utf8');
  return { text: head + marker(tailStart - headEnd) + tail, truncated: true, bytes };
}

/** The nearest index at or before (direction -1) or after (+1) `i` where a UTF-8 character starts. */
function charStart(buffer: Buffer, i: number, direction: 1 | -1 = -1): number {
  let at = Math.min(Math.max(0, i), buffer.length);
  while (at > 0 && at < buffer.length && ((buffer[at] ?? 0) & 0xc0) === 0x80) at += direction;
  return at;
}
