import { newAjv } from '../json-schema/load-ajv.js';
import type { FieldIssue } from '../errors.js';

export interface OutputSpec {
  format: 'json' | 'text';
  /** JSON Schema the answer must match (implies JSON). */
  schema?: Record<string, unknown> | undefined;
}

export type OutputCheck = { ok: true; text: string } | { ok: false; issues: FieldIssue[] };

/** Whether answers must be JSON. */
export function wantsJson(spec: OutputSpec | undefined): boolean {
  return spec !== undefined && (spec.format === 'json' || spec.schema !== undefined);
}

/**
 * Checks a final answer against the agent's output spec: JSON that parses (a ```json fence around it is
 * accepted and removed) and, with a schema, validates. Returns the JSON text to record.
 */
export function checkOutput(content: string, spec: OutputSpec | undefined): OutputCheck {
  if (!wantsJson(spec)) return { ok: true, text: content };
  const text = unfence(content);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ field: '', message: `the answer is not JSON (${(error as Error).message})` }] };
  }
  if (spec?.schema === undefined) return { ok: true, text };
  const ajv = newAjv({ allErrors: true, strict: false });
  let validate;
  try {
    validate = ajv.compile(spec.schema);
  } catch (error) {
    return {
      ok: false,
      issues: [
        { field: 'output.schema', message: `the agent's output schema is invalid: ${(error as Error).message}` },
      ],
    };
  }
  if (validate(value)) return { ok: true, text };
  return {
    ok: false,
    issues: (validate.errors ?? []).map((e) => ({
      field: e.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      message: e.message ?? 'is invalid',
    })),
  };
}

/** The instruction added to the prompt when JSON is wanted. */
export function jsonInstruction(spec: OutputSpec): string {
  return spec.schema === undefined
    ? 'Reply with only a JSON value, no other text.'
    : `Reply with only a JSON value, no other text, that matches this JSON Schema:\n${JSON.stringify(spec.schema)}`;
}

function unfence(content: string): string {
  const trimmed = content.trim();
  const match = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/.exec(trimmed);
  return match?.[1]?.trim() ?? trimmed;
}
