import { useState } from 'react';

const COLLAPSE_AT = 2000;

/** JSON (or text that holds JSON) pretty-printed; a large value starts collapsed. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = pretty(value);
  const [open, setOpen] = useState(text.length <= COLLAPSE_AT);
  if (!open) {
    return (
      <div className="json collapsed">
        <pre>{text.slice(0, 400)}…</pre>
        <button type="button" onClick={() => setOpen(true)} aria-label={`Show all of ${label}`}>
          Show all ({formatBytes(text.length)})
        </button>
      </div>
    );
  }
  return (
    <pre className="json" aria-label={label}>
      {text}
    </pre>
  );
}

function pretty(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  // undefined has no JSON form.
  return value === undefined ? '(none)' : JSON.stringify(value, null, 2);
}

export function formatBytes(n: number): string {
  return n < 1024
    ? `${String(n)} B`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${(n / 1048576).toFixed(1)} MB`;
}
