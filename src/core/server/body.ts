import type { IncomingMessage } from 'node:http';
import { StationError, ExitCode, ValidationError } from '../errors.js';

/** Largest JSON body the API reads (an agent file with its prompt fits easily). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and parses a JSON request body; empty bodies are undefined. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? 'application/json';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new StationError(
      'unsupported_media_type',
      `expected a JSON body (Content-Type: application/json), got ${type}`,
      ExitCode.INVALID,
    );
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`the request body is not valid JSON: ${(error as Error).message}`, [
      { field: '', message: 'expected a JSON document' },
    ]);
  }
}

function tooLarge(limit: number): StationError {
  return new StationError(
    'payload_too_large',
    `the request body is larger than ${String(limit)} bytes`,
    ExitCode.INVALID,
  );
}
