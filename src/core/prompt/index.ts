// Agent files (`.prompt`, dotprompt format): parse, serialize, validate input, render.
export type { AgentConfig, AgentDefinition, ChatMessage, JsonSchemaObject } from './types.js';
export { normalizeText, splitPromptDocument, type PromptDocument } from './document.js';
export { defaultInputSchema, nameFromFileName, parseAgentFile, readAgentFile } from './parse.js';
export { FRONTMATTER_KEYS } from './frontmatter-keys.js';
export { isJsonSchema, PicoschemaError, picoschemaToJsonSchema, type PicoschemaOptions } from './picoschema.js';
export { serializeAgent } from './serialize.js';
export { coerceInputValues, InputValidatorCache, schemaProblems, validateAgentInput } from './validate-input.js';
export {
  checkAgentTemplate,
  compileAgent,
  createPromptRenderer,
  renderAgent,
  toChatMessages,
  type AgentRenderer,
  type PromptRendererOptions,
} from './render.js';
export { hasRoleMarkers, templateVariables } from './template-ast.js';
export { chooseOutput, type OutputChoice, type OutputReason } from './output-choice.js';
