// The agent service: agents of an environment, their files and their index.
export {
  AgentService,
  type AgentCheck,
  type AgentDraft,
  type AgentPatch,
  type AgentProblem,
  type AgentSource,
  type AgentSummary,
  type AgentValidationReport,
  type ImportResult,
} from './agent-service.js';
export type { IndexResult } from './agent-index.js';
export { agentFileName, agentNameProblem, validateAgentName } from './agent-names.js';
export { parseInputFieldSpec } from './input-fields.js';
