/** How an error from the client reads in the TUI: the message and the first hint. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const hints = (error as { hints?: unknown }).hints;
    const hint = Array.isArray(hints) && typeof hints[0] === 'string' ? ` (${hints[0]})` : '';
    return `${error.message}${hint}`;
  }
  return String(error);
}

/** Field errors carried by a validation error (core ValidationError details, or the API's 400 body). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const details = (error as { details?: unknown } | null)?.details;
  const issues =
    (details as { issues?: unknown } | undefined)?.issues ?? (error as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return out;
  for (const issue of issues as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { field, path, message } = issue as { field?: unknown; path?: unknown; message?: unknown };
    const name = typeof field === 'string' ? field : typeof path === 'string' ? path : undefined;
    if (name !== undefined && typeof message === 'string') out[name.replace(/^[/.]+/, '')] = message;
  }
  return out;
}
