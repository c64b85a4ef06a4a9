import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../json-schema/load-ajv.js';
import { ValidationError, type FieldIssue } from '../errors.js';
import type { JsonSchema } from './http-types.js';

/** Validates request bodies against the JSON Schemas the OpenAPI document shows. */
export class BodyValidator {
  /** Made on the first body checked (ajv loads then). */
  private ajv: Ajv | undefined;
  private readonly cache = new Map<JsonSchema, ValidateFunction>();

  check(schema: JsonSchema, body: unknown): void {
    let validate = this.cache.get(schema);
    if (validate === undefined) {
      this.ajv ??= newAjv({ allErrors: true, strict: false });
      validate = this.ajv.compile(schema);
      this.cache.set(schema, validate);
    }
    if (validate(body)) return;
    const issues = (validate.errors ?? []).map(toIssue);
    throw new ValidationError(
      `invalid request body: ${issues.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)).join('; ')}`,
      issues,
    );
  }
}

/** An Ajv error as a field issue: `input.count: must be integer`, `name: is required`. */
export function toIssue(error: ErrorObject): FieldIssue {
  const base = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
  const join = (extra: string): string => (base === '' ? extra : `${base}.${extra}`);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { field: join(params.missingProperty), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { field: join(params.additionalProperty), message: 'is not a known field' };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return { field: base, message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { field: base, message: error.message ?? 'is invalid' };
}
