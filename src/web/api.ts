/**
 * The web UI's one door to Station: REST calls with the signed-in key, typed by the same wire contract
 * every other client uses (core's ApiResponses), and errors as Station states them (message and hints).
 */
import type { ApiResponses, ErrorBody } from '../core/api/views.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hints: readonly string[] = [],
  ) {
    super(message);
  }
}

export type Answer<Op extends keyof ApiResponses> = ApiResponses[Op];

export class WebApi {
  constructor(readonly key: string) {}

  get<Op extends keyof ApiResponses>(_op: Op, path: string): Promise<Answer<Op>> {
    return this.call('GET', path);
  }

  post<Op extends keyof ApiResponses>(_op: Op, path: string, body?: unknown): Promise<Answer<Op>> {
    return this.call('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch {
      throw new ApiError(0, 'unreachable', 'Station does not answer', ['Is `stn serve` still running?']);
    }
    const text = await res.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) {
      const error = (json as Partial<ErrorBody> | undefined)?.error;
      throw new ApiError(
        res.status,
        error?.code ?? 'http',
        error?.message ?? `HTTP ${String(res.status)}`,
        error?.hints,
      );
    }
    return json as T;
  }
}

/** Path segments are the user's names: always encoded. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
