/** Short human forms of times, durations and counts, the same everywhere on the page. */
export function ago(iso: string | null, now = Date.now()): string {
  if (iso === null) return '-';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 60) return `${String(Math.max(0, s))}s ago`;
  if (s < 3600) return `${String(Math.floor(s / 60))}m ago`;
  if (s < 86400) return `${String(Math.floor(s / 3600))}h ago`;
  return `${String(Math.floor(s / 86400))}d ago`;
}

export function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${String(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${String(Math.floor(ms / 60_000))}m ${String(Math.round((ms % 60_000) / 1000))}s`;
}

export function count(n: number): string {
  return n < 10_000 ? String(n) : `${(n / 1000).toFixed(1)}k`;
}
