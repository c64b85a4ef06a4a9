/** New agents and changes to agents: checked, then turned into `.prompt` text. */
import { yaml } from '../config/yaml-lib.js';
import { ValidationError } from '../errors.js';
import { configToFrontmatter } from '../prompt/serialize.js';
import type { AgentConfig, AgentDefinition, JsonSchemaObject } from '../prompt/types.js';

/** A new agent. `prompt` is the system prompt (wrapped with role markers); `template` is a whole body. */
export interface AgentDraft {
  name: string;
  description?: string;
  tags?: string[];
  model?: string;
  maxSteps?: number;
  tools?: string[];
  config?: AgentConfig;
  prompt?: string;
  template?: string;
  /** Input fields in Picoschema (`{repo: "string, the repository", "depth?": "integer"}`). */
  inputFields?: Record<string, string>;
  /** Or a JSON Schema object for the input. */
  inputSchema?: JsonSchemaObject;
  outputFormat?: 'json' | 'text';
  outputSchema?: JsonSchemaObject;
}

/** Changes to an agent; `null` removes an optional field. The name changes with rename(). */
export interface AgentPatch {
  description?: string;
  tags?: string[];
  model?: string | null;
  maxSteps?: number | null;
  tools?: string[];
  config?: AgentConfig;
  template?: string;
  inputSchema?: JsonSchemaObject;
  outputFormat?: 'json' | 'text' | null;
  outputSchema?: JsonSchemaObject | null;
}

const DEFAULT_TEMPLATE_USER = '{{role "user"}}\n{{userInput}}';

export function checkDraft(draft: AgentDraft): void {
  const issues: { field: string; message: string }[] = [];
  if (draft.model?.trim() === '') issues.push({ field: 'model', message: 'expected a model name such as gpt-4o-mini' });
  if (draft.maxSteps !== undefined && (!Number.isInteger(draft.maxSteps) || draft.maxSteps < 1)) {
    issues.push({ field: 'maxSteps', message: `expected a whole number of at least 1, got ${String(draft.maxSteps)}` });
  }
  const temperature = draft.config?.temperature;
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0)) {
    issues.push({ field: 'temperature', message: `expected a number of at least 0, got ${String(temperature)}` });
  }
  const maxTokens = draft.config?.maxTokens;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    issues.push({ field: 'maxTokens', message: `expected a whole number of at least 1, got ${String(maxTokens)}` });
  }
  for (const tool of draft.tools ?? [])
    if (tool.trim() === '') issues.push({ field: 'tools', message: 'a tool name is empty' });
  if (draft.prompt !== undefined && draft.template !== undefined)
    issues.push({ field: 'prompt', message: 'give a prompt or a template, not both' });
  if (draft.inputFields !== undefined && draft.inputSchema !== undefined)
    issues.push({ field: 'input', message: 'give input fields or an input schema, not both' });
  if (issues.length > 0) {
    throw new ValidationError(
      `cannot create agent "${draft.name}": ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
}

/** The canonical file text of a new agent. */
export function draftText(draft: AgentDraft): string {
  const fm: Record<string, unknown> = { metadata: { name: draft.name } };
  const metadata = fm.metadata as Record<string, unknown>;
  if (draft.description !== undefined && draft.description !== '') metadata.description = draft.description;
  if (draft.tags !== undefined && draft.tags.length > 0) metadata.tags = draft.tags;
  if (draft.model !== undefined) fm.model = draft.model;
  if (draft.maxSteps !== undefined) fm.max_steps = draft.maxSteps;
  if (draft.config !== undefined) {
    const config = configToFrontmatter(draft.config);
    if (Object.keys(config).length > 0) fm.config = config;
  }
  fm.tools = draft.tools ?? [];
  if (draft.inputFields !== undefined) {
    const fields = draft.inputFields;
    fm.input = { schema: 'userInput' in fields ? fields : { userInput: 'string', ...fields } };
  } else if (draft.inputSchema !== undefined) {
    fm.input = { schema: draft.inputSchema };
  }
  if (draft.outputFormat !== undefined || draft.outputSchema !== undefined) {
    fm.output = {
      ...(draft.outputFormat === undefined ? {} : { format: draft.outputFormat }),
      ...(draft.outputSchema === undefined ? {} : { schema: draft.outputSchema }),
    };
  }
  const body = draft.template ?? systemTemplate(draft.prompt ?? `You are ${draft.name}.`);
  return `---\n${yaml().stringify(fm, { lineWidth: 0 })}---\n${body.trim()}\n`;
}

/** A system prompt wrapped with role markers, unless it already has its own. */
function systemTemplate(prompt: string): string {
  if (/\{\{~?\s*role\s/.test(prompt)) return prompt;
  return `{{role "system"}}\n${prompt.trim()}\n\n${DEFAULT_TEMPLATE_USER}`;
}

export function applyPatch(agent: AgentDefinition, patch: AgentPatch): AgentDefinition {
  const next: AgentDefinition = { ...agent };
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.tags !== undefined) next.tags = patch.tags;
  if (patch.tools !== undefined) next.tools = patch.tools;
  if (patch.config !== undefined) next.config = patch.config;
  if (patch.template !== undefined) next.template = patch.template;
  if (patch.inputSchema !== undefined) next.inputSchema = patch.inputSchema;
  if (patch.model === null) delete next.model;
  else if (patch.model !== undefined) next.model = patch.model;
  if (patch.maxSteps === null) delete next.maxSteps;
  else if (patch.maxSteps !== undefined) next.maxSteps = patch.maxSteps;
  if (patch.outputFormat === null) delete next.outputFormat;
  else if (patch.outputFormat !== undefined) next.outputFormat = patch.outputFormat;
  if (patch.outputSchema === null) delete next.outputSchema;
  else if (patch.outputSchema !== undefined) next.outputSchema = patch.outputSchema;
  return next;
}
