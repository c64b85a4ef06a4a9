/** How a run of an agent answers (plain text or JSON): one rule for `agent show` and the runner. */
import { isPlainObject } from './parse.js';
import type { AgentDefinition, JsonSchemaObject } from './types.js';

/**
 * Why a run answers in text or JSON: `none` (no output block), `text` (`output.format: text`), `boilerplate`
 * (exactly the original Station's export boilerplate `output: {schema: {response: string}}`: the original
 * answered in prose), `json` (`output.format: json`), `schema` (any other output schema).
 */
export type OutputReason = 'none' | 'text' | 'boilerplate' | 'json' | 'schema';

export interface OutputChoice {
  format: 'text' | 'json';
  reason: OutputReason;
  /** One line for people: `text (output.schema {response: string} is the original Station's export boilerplate)`. */
  explanation: string;
  /** What the runner checks a JSON answer against; absent for text. */
  spec?: { format: 'json'; schema?: JsonSchemaObject | undefined };
}

/**
 * The answer format of a run of `agent`. `output.format` decides when given (`text` leaves a schema
 * unchecked); without it, the original's export boilerplate is plain text, and any other schema asks for
 * JSON that matches it.
 */
export function chooseOutput(
  agent: Pick<AgentDefinition, 'outputFormat' | 'outputSchema' | 'frontmatter'>,
): OutputChoice {
  const schema = agent.outputSchema;
  if (agent.outputFormat === 'text') {
    const unchecked = schema === undefined ? '' : '; its output schema is not checked';
    return { format: 'text', reason: 'text', explanation: `text (output.format: text${unchecked})` };
  }
  if (agent.outputFormat === 'json') {
    const what = schema === undefined ? 'any JSON value' : 'JSON matching its output schema';
    return {
      format: 'json',
      reason: 'json',
      explanation: `json (output.format: json; ${what})`,
      spec: { format: 'json', schema },
    };
  }
  if (schema === undefined) return { format: 'text', reason: 'none', explanation: 'text' };
  if (isExportBoilerplate(agent.frontmatter.output)) {
    return {
      format: 'text',
      reason: 'boilerplate',
      explanation: "text (output.schema {response: string} is the original Station's export boilerplate)",
    };
  }
  return {
    format: 'json',
    reason: 'schema',
    explanation: 'json (output.schema given: JSON matching it)',
    spec: { format: 'json', schema },
  };
}

/** Exactly `{schema: {response: string}}`, no format: what every agent exported by the original carries. */
function isExportBoilerplate(output: unknown): boolean {
  if (!isPlainObject(output) || Object.keys(output).length !== 1) return false;
  const schema = output.schema;
  return isPlainObject(schema) && Object.keys(schema).length === 1 && schema.response === 'string';
}
