/** Types of agent files (`.prompt`, dotprompt format) as Station reads, renders and writes them. */
import type { AgentSchedule } from '../scheduler/schedule-spec.js';

/** A JSON Schema object (draft 2020-12 / draft-07 subset that ajv understands). */
export type JsonSchemaObject = Record<string, unknown>;

/** One message sent to the model. dotprompt's `model` role is `assistant` here. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Model settings from the `config:` block of an agent file. */
export interface AgentConfig {
  temperature?: number;
  /** `config.max_tokens` in the file. */
  maxTokens?: number;
  /** Every other key of `config:`, kept as written. */
  [key: string]: unknown;
}

/** An agent: everything Station knows from one `.prompt` file. */
export interface AgentDefinition {
  /** `metadata.name`, else the top-level `name`, else the file name without `.prompt` (may contain spaces). */
  name: string;
  /** Base name of the file, e.g. "Security Scanner.prompt". */
  fileName: string;
  /** Absolute path when read from disk. */
  path?: string;
  description: string;
  tags: string[];
  /** Per-agent model; the configured default applies when absent. */
  model?: string;
  /** Top-level `max_steps`, else `metadata.max_steps`, else `station.execution_metadata.max_steps`. */
  maxSteps?: number;
  /** Tool references as written in the file (`__read_text_file`, `filesystem__read_text_file`). */
  tools: string[];
  config: AgentConfig;
  /** Always a JSON Schema object (Picoschema converted) with a `userInput` string property. */
  inputSchema: JsonSchemaObject;
  outputSchema?: JsonSchemaObject;
  outputFormat?: 'json' | 'text';
  /**
   * `retry_on_interrupt`: how many times a run interrupted by the loss of its server (its process died, its lease
   * ran out) is queued again, as a new run (`true`: once). Absent: never.
   */
  retryOnInterrupt?: number;
  /** When the agent runs on its own (`schedule:`), defaults applied. */
  schedule?: AgentSchedule;
  /** The whole frontmatter as parsed; keys Station does not use are kept. */
  frontmatter: Record<string, unknown>;
  /** The Handlebars body. */
  template: string;
}
