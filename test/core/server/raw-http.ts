/**
 * Raw HTTP for the tests that check the HTTP itself: status codes, headers, auth headers, malformed or
 * mistyped bodies. Tests of behaviour use core's ApiClient instead.
 */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface ApiRequestOptions {
  /** The key to send; null sends none; undefined sends the default key. */
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export function rawHttp(baseUrl: () => string, defaultKey: () => string) {
  return async (method: string, path: string, opts: ApiRequestOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? defaultKey() : opts.key;
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers['Content-Type'] ??= 'application/json';
    const res = await fetch(baseUrl() + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}
