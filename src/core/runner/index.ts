export {
  Runner,
  type PreparedRun,
  type RunHandle,
  type RunRequest,
  type RunResources,
  type RunnerOptions,
  type SubmitOptions,
} from './runner.js';
export {
  OutputInvalidError,
  runLoop,
  type LoopDeps,
  type LoopResult,
  type RunPlan,
  type RunStats,
} from './run-loop.js';
export { RunRecorder, STAGED_EVENT_MAX_WAIT_MS, type RunProfile } from './run-recorder.js';
export { QueueFullError, RunAbort, runExitCode, toEventError, type RunResult } from './run-errors.js';
export { RunService, type CancelOutcome, type LiveRunner, type RunDetail, type RunSummary } from './run-service.js';
export { agentToolProvider, type PoolTool, type ToolPool } from './mcp-tools.js';
export {
  NO_TOOLS,
  type ToolCallOptions,
  type ToolOutcome,
  type ToolProgress,
  type ToolProvider,
  type ToolSpec,
} from './tool-provider.js';
export { truncateMiddle, type Truncated } from './truncate.js';
export { checkOutput, wantsJson, type OutputCheck, type OutputSpec } from './output-check.js';
export { isOrphanedRun, systemProcessProbe, type ProcessProbe } from './process-liveness.js';
