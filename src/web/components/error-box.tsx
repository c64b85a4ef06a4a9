import { ApiError } from '../api.js';

/** An error as Station states it: what happened and what to do next. */
export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const hints = error instanceof ApiError ? error.hints : [];
  return (
    <div className="error" role="alert">
      <strong>✗ {message}</strong>
      {hints.length > 0 && (
        <ul>
          {hints.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
