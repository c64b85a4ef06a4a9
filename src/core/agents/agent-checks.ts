/** Checks an agent must pass before it is written, and problems as `stn agent validate` reports them. */
import type { KeyWarning } from '../config/unknown-keys.js';
import { FileFormatError, StationError, ValidationError, formatPosition } from '../errors.js';
import { splitPromptDocument } from '../prompt/document.js';
import { parseAgentFile } from '../prompt/parse.js';
import { checkAgentTemplate } from '../prompt/render.js';
import { templateVariables } from '../prompt/template-ast.js';
import type { AgentDefinition } from '../prompt/types.js';
import { schemaProblems } from '../prompt/validate-input.js';

export interface AgentProblem {
  severity: 'error' | 'warning';
  message: string;
  line?: number;
  key?: string;
}

export interface AgentCheck {
  file: string;
  name: string | null;
  ok: boolean;
  problems: AgentProblem[];
}

export interface AgentValidationReport {
  environment: string;
  /** Tool references were checked (the environment has been synced and has tools). */
  toolsChecked: boolean;
  agents: AgentCheck[];
  errors: number;
  warnings: number;
}

/**
 * Parses text about to be written and checks its template, so that nothing invalid reaches the disk.
 * Errors in generated text become ValidationErrors naming the field.
 */
export async function prepare(path: string, text: string, action: string): Promise<AgentDefinition> {
  const agent = parseAgentFile(path, text);
  await checkAgentTemplate(agent, splitPromptDocument(path, text).bodyLine);
  const problems = schemaIssues(agent);
  if (problems.length > 0) {
    throw new ValidationError(
      `cannot ${action} agent "${agent.name}": ${problems.join('; ')}`,
      problems.map((message) => ({ field: 'schema', message })),
    );
  }
  return agent;
}

export function schemaIssues(agent: AgentDefinition): string[] {
  const out = schemaProblems(agent.inputSchema).map((m) => `input schema: ${m}`);
  if (agent.outputSchema !== undefined)
    out.push(...schemaProblems(agent.outputSchema).map((m) => `output schema: ${m}`));
  return out;
}

export function problemOf(error: unknown): AgentProblem {
  if (error instanceof FileFormatError) {
    const { line, key } = error.position;
    return {
      severity: 'error',
      message: error.message,
      ...(line === undefined ? {} : { line }),
      ...(key === undefined ? {} : { key }),
    };
  }
  if (error instanceof StationError) return { severity: 'error', message: error.message };
  throw error;
}

/** An unknown frontmatter key (a likely typo) as a validation warning. */
export function keyProblem(warning: KeyWarning): AgentProblem {
  return {
    severity: 'warning',
    message: warning.message,
    ...(warning.line === undefined ? {} : { line: warning.line }),
    key: warning.key,
  };
}

export function withoutPosition(error: FileFormatError): string {
  const { key } = error.position;
  const prefix = `${formatPosition(error.position)}${key === undefined ? '' : ` (key "${key}")`}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/** Variables the template reads that the input schema does not declare (they render empty unless given). */
export function undeclaredVariables(agent: AgentDefinition): AgentProblem[] {
  const properties = agent.inputSchema.properties;
  const declared = new Set(typeof properties === 'object' && properties !== null ? Object.keys(properties) : []);
  const missing = templateVariables(agent.template).filter((v) => !declared.has(v));
  if (missing.length === 0) return [];
  return [
    {
      severity: 'warning',
      key: 'input.schema',
      message: `the template reads ${missing.map((v) => `{{${v}}}`).join(', ')}, which the input schema does not declare; they render empty unless given`,
    },
  ];
}
