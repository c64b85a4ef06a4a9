// The agent service: agents of an environment, their files and their index.
export { AgentService, type AgentSource, type AgentSummary, type ImportResult } from './agent-service.js';
export type { AgentDraft, AgentPatch } from './agent-draft.js';
export type { AgentCheck, AgentProblem, AgentValidationReport } from './agent-checks.js';
export type { IndexResult } from './agent-index.js';
export { agentFileName, agentNameProblem, validateAgentName } from './agent-names.js';
export { parseInputFieldSpec } from './input-fields.js';
export {
  fieldText,
  inputFields,
  inputKind,
  readFieldText,
  readInput,
  type FieldReading,
  type InputField,
  type InputKind,
  type InputSchemaShape,
} from './input-form.js';
