/**
 * The runner of an open engine: agents from the environment's files, input validated and rendered with
 * the prompt module, the model client from config.yaml (and OPENAI_* overrides), tools from the
 * environment's MCP pool. Loaded with a dynamic import (it pulls in openai, ajv and dotprompt).
 */
import type { StationConfig } from '../config/station-config.js';
import { ValidationError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { ModelClient } from '../model/model-client.js';
import type { Secret } from '../mcp/redactor.js';
import { chooseModel } from '../model/choose-model.js';
import { modelKeySecrets, resolveModelSettings } from '../model/settings.js';
import type { ModelMessage } from '../model/types.js';
import { fileStamp, StampedCache } from '../fs/file-stamps.js';
import { InputValidatorCache, chooseOutput, compileAgent, validateAgentInput } from '../prompt/index.js';
import type { AgentRenderer } from '../prompt/index.js';
import type { AgentDefinition } from '../prompt/types.js';
import type { RunRepo } from '../store/run-repo.js';
import { agentToolProvider, type ToolPool } from './mcp-tools.js';
import { Runner, type PreparedRun, type RunRequest } from './runner.js';
import { NO_TOOLS } from './tool-provider.js';

export interface EngineRunnerDeps {
  config: StationConfig;
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  repo: RunRepo;
  environments: { require(name: string): { id: number } };
  agents: {
    get(env: string, name: string): AgentDefinition;
    /** Where an agent's file is, without parsing it. */
    locate(env: string, name: string): { path: string };
    dir(env: string): string;
  };
  /**
   * The environment's running MCP pool (started on first use, cached by the engine) and the secrets of the
   * config it runs on.
   */
  mcp(environment: string): Promise<{ pool: ToolPool; secrets: readonly Secret[] }>;
  /**
   * The secret values of an environment (those of its MCP configs; a secret store adds its own here),
   * masked in its runs' records together with the model API key.
   */
  secrets(environment: string): readonly Secret[];
  /** Model client retry timing (tests shorten it). */
  retryBaseMs?: number;
}

export function createEngineRunner(deps: EngineRunnerDeps): Runner {
  const { config } = deps;
  const base = resolveModelSettings(config.model, deps.env);
  const validators = new InputValidatorCache();
  const agents = readyAgents(deps.agents);
  // The model client (and the openai SDK behind it) loads with the first run: an idle `stn serve` never needs it.
  let client: Promise<ModelClient> | undefined;
  const modelClient = (): Promise<ModelClient> =>
    (client ??= import('../model/model-client.js').then(
      ({ ModelClient }) =>
        new ModelClient({
          settings: base,
          idleTimeoutMs: config.model.idleTimeoutSeconds * 1000,
          ...(deps.retryBaseMs === undefined ? {} : { retryBaseMs: deps.retryBaseMs }),
        }),
    ));

  const prepare = async (request: RunRequest): Promise<PreparedRun> => {
    if (request.timeoutMs !== undefined && !(Number.isFinite(request.timeoutMs) && request.timeoutMs > 0)) {
      throw new ValidationError('the run timeout must be a positive duration', [
        { field: 'timeout', message: 'expected a duration > 0' },
      ]);
    }
    const environment = deps.environments.require(request.environment);
    const { agent, render } = await agents(request.environment, request.agent);
    const input = validateAgentInput(agent, request.input, validators);
    const messages = (await render(input)).map((m): ModelMessage => ({ role: m.role, content: m.content }));
    // A run taken over from another process keeps the model chosen (and why) when it was queued.
    const { model, ...modelChoice } =
      request.modelChoice !== undefined && request.model !== undefined
        ? { ...request.modelChoice, model: request.model }
        : chooseModel(config.model, agent.model, request.model);
    const output = chooseOutput(agent);
    return {
      agent: agent.name,
      environment: request.environment,
      environmentId: environment.id,
      input,
      model,
      modelChoice,
      outputChoice: { format: output.format, reason: output.reason, explanation: output.explanation },
      messages,
      maxSteps: agent.maxSteps ?? config.runner.defaultMaxSteps,
      timeoutMs: request.timeoutMs ?? config.runner.runTimeoutSeconds * 1000,
      temperature: agent.config.temperature,
      maxTokens: agent.config.maxTokens,
      output: output.spec,
      tools: agent.tools,
      secrets: [...modelKeySecrets(base), ...deps.secrets(request.environment)],
    };
  };

  return new Runner({
    repo: deps.repo,
    bus: deps.bus,
    prepare,
    resources: async (run) => {
      const model = await modelClient();
      if (run.tools.length === 0) return { model, tools: NO_TOOLS };
      const { pool, secrets } = await deps.mcp(run.environment);
      return { model, tools: agentToolProvider(pool, run.tools, run.agent), secrets };
    },
    workers: config.runner.workers,
    queueSize: config.runner.queueSize,
    maxToolResultBytes: config.runner.maxToolResultBytes,
    maxAnswerBytes: config.runner.maxAnswerBytes,
  });
}

/** An agent read from its file, with its template compiled. */
interface ReadyAgent {
  agent: AgentDefinition;
  render: AgentRenderer;
}

/**
 * Agents as a run queue needs them, read and compiled once and kept while their file and their agents
 * folder keep their change stamps (a stat of each per run): an edit, a new file, a rename or a removal
 * is seen by the next run.
 */
function readyAgents(agents: EngineRunnerDeps['agents']): (env: string, name: string) => Promise<ReadyAgent> {
  const cache = new StampedCache<{ path: string; ready: Promise<ReadyAgent> }>();
  const stampOf = (env: string, path: string): string => `${fileStamp(agents.dir(env))}|${fileStamp(path)}`;
  return (env, name) => {
    const key = `${env}\u0000${name}`;
    const hit = cache.find(key);
    if (hit !== undefined && hit.stamp === stampOf(env, hit.value.path)) return hit.value.ready;
    const path = agents.locate(env, name).path;
    // Stamped before the file is read: an edit made meanwhile is seen by the next run.
    const stamp = stampOf(env, path);
    const ready = (async (): Promise<ReadyAgent> => {
      const agent = agents.get(env, name);
      return { agent, render: await compileAgent(agent) };
    })();
    cache.set(key, stamp, { path, ready });
    // A failure is not kept: the next run reads the files again (and reports what is wrong then).
    ready.catch(() => {
      if (cache.find(key)?.value.ready === ready) cache.delete(key);
    });
    return ready;
  };
}
