import type { AgentDraft, AgentPatch } from '../agents/agent-draft.js';
import type { AgentValidationReport } from '../agents/agent-checks.js';
import type { AgentSource, ImportResult } from '../agents/agent-service.js';
import { chooseModel, type ModelChoice } from '../model/choose-model.js';
import { chooseOutput, coerceInputValues, type OutputChoice } from '../prompt/index.js';
import type { AgentDefinition } from '../prompt/types.js';
import { parseRunInput, type RunInputSources } from '../runner/run-input.js';
import type { ApiContext } from './context.js';
import type { AgentListItem, LastRunView } from './views.js';

/** What a run of an agent will use: its model (and why) and its answer format (and why). */
export interface RunChoices {
  model: ModelChoice;
  output: OutputChoice;
}

/** An agent's source and what a run of it uses (the answer format without the schema the runner checks). */
export type AgentShown = AgentSource & { run: { model: ModelChoice; output: Omit<OutputChoice, 'spec'> } };

/** A change to an agent: its fields, and `name` to rename it (and its file). */
export type AgentChange = AgentPatch & { name?: string | undefined };

/** Agents (`.prompt` files) of an environment: read with `read`, changed with `write`. */
export class AgentsApi {
  constructor(private readonly ctx: ApiContext) {}

  private get service() {
    return this.ctx.engine.agents;
  }

  /** The agents, each with its newest run (one query for all of them). */
  list(env: string): AgentListItem[] {
    this.ctx.authorize('read', env);
    const agents = this.service.list(env);
    const last = this.lastRuns(env);
    return agents.map((a) => ({ ...a, lastRun: last.get(a.name) ?? null }));
  }

  /** The agents that parse, and the files that do not (each with its error). */
  scan(env: string): ReturnType<ApiContext['engine']['agents']['scan']> {
    this.ctx.authorize('read', env);
    return this.service.scan(env);
  }

  /** The newest run of each agent of the environment, by agent name. */
  lastRuns(env: string): Map<string, LastRunView> {
    this.ctx.authorize('read', env);
    const runs = this.ctx.engine.runs.lastRunPerAgent(env);
    return new Map([...runs].map(([name, r]) => [name, { id: r.id, status: r.status, at: r.createdAt }]));
  }

  get(env: string, name: string): AgentDefinition {
    this.ctx.authorize('read', env);
    return this.service.get(env, name);
  }

  /**
   * The input for a run (or a render) of an agent from --input/--input-file/--var and the TEXT argument,
   * the same for every door; --var values are converted by the agent's input schema.
   */
  runInput(env: string, name: string, sources: Omit<RunInputSources, 'coerce'>): Record<string, unknown> {
    this.ctx.authorize('read', env);
    return parseRunInput({ ...sources, coerce: (values) => coerceInputValues(this.service.get(env, name), values) });
  }

  /**
   * Which model a run of the agent uses and why, and whether it answers in text or JSON: the same rules the
   * runner applies (`runModel` is the run's --model).
   */
  runChoices(agent: AgentDefinition, runModel?: string): RunChoices {
    return { model: chooseModel(this.ctx.engine.config.model, agent.model, runModel), output: chooseOutput(agent) };
  }

  /**
   * What `agent show` and REST's one agent give: the agent's source (parsed, text, hash, key typos) and what
   * a run of it uses (model and answer format, each with why).
   */
  show(env: string, name: string): AgentShown {
    const source = this.source(env, name);
    const { model, output } = this.runChoices(source.agent);
    const { spec: _spec, ...answer } = output;
    return { ...source, run: { model, output: answer } };
  }

  /** The parsed agent, the text of its file and that text's hash (for a later write with expectedHash). */
  source(env: string, name: string): AgentSource {
    this.ctx.authorize('read', env);
    return this.service.source(env, name);
  }

  /** The text of an agent's file even when it does not parse (to repair it in an editor). */
  rawSource(env: string, name: string): ReturnType<ApiContext['engine']['agents']['rawSource']> {
    this.ctx.authorize('read', env);
    return this.service.rawSource(env, name);
  }

  /** Where an agent's file is (also when it does not parse). */
  locate(env: string, name: string): { name: string; fileName: string; path: string } {
    this.ctx.authorize('read', env);
    return this.service.locate(env, name);
  }

  async validate(env: string, names?: readonly string[]): Promise<AgentValidationReport> {
    this.ctx.authorize('read', env);
    return this.service.validate(env, names);
  }

  async create(env: string, draft: AgentDraft): Promise<AgentDefinition> {
    this.ctx.authorize('write', env);
    const agent = await this.service.create(env, draft);
    this.ctx.audit('agent.create', target(env, agent.name));
    return agent;
  }

  /** Changes fields of an agent; `change.name` renames it first. */
  async update(env: string, name: string, change: AgentChange): Promise<AgentDefinition> {
    this.ctx.authorize('write', env);
    const { name: newName, ...patch } = change;
    let current = name;
    const details: Record<string, unknown> = {};
    if (newName !== undefined && newName !== name) {
      current = (await this.service.rename(env, name, newName)).name;
      details.renamedFrom = name;
    }
    const agent =
      Object.keys(patch).length > 0 ? await this.service.update(env, current, patch) : this.service.get(env, current);
    this.ctx.audit('agent.update', target(env, agent.name), details);
    return agent;
  }

  /** Replaces the whole file (validated first); with expectedHash, fails with a conflict if it changed since. */
  async replaceText(
    env: string,
    name: string,
    text: string,
    options: { expectedHash?: string } = {},
  ): Promise<AgentDefinition> {
    this.ctx.authorize('write', env);
    const agent = await this.service.replaceText(env, name, text, options);
    this.ctx.audit('agent.update', target(env, agent.name), { wholeFile: true });
    return agent;
  }

  delete(env: string, name: string): { name: string; fileName: string; path: string } {
    this.ctx.authorize('write', env);
    const deleted = this.service.delete(env, name);
    this.ctx.audit('agent.delete', target(env, deleted.name));
    return deleted;
  }

  /** Brings a `.prompt` file of this machine into the environment (local doors only: it reads a path). */
  async importFile(env: string, file: string, options: { name?: string; force?: boolean } = {}): Promise<ImportResult> {
    this.ctx.authorize('admin', env);
    const result = await this.service.importFile(env, file, options);
    this.ctx.audit('agent.import', target(env, result.agent.name), { replaced: result.replaced });
    return result;
  }

  /** Copies an agent into another environment (write access to that one). */
  async copy(env: string, name: string, toEnv: string, options: { name?: string } = {}): Promise<AgentDefinition> {
    this.ctx.authorize('read', env);
    this.ctx.authorize('write', toEnv);
    const agent = await this.service.copy(env, name, toEnv, options);
    this.ctx.audit('agent.create', target(toEnv, agent.name), { copiedFrom: target(env, name) });
    return agent;
  }

  /**
   * Adds or removes one tool of an agent (the original Station's add_tool / remove_tool): the file is rewritten
   * atomically through update. Adding a tool it has, or removing one it lacks, changes nothing.
   */
  async editTools(
    env: string,
    name: string,
    edit: { add: string } | { remove: string },
  ): Promise<{ agent: AgentDefinition; changed: boolean }> {
    this.ctx.authorize('write', env);
    const current = this.service.get(env, name);
    const tools =
      'add' in edit
        ? current.tools.includes(edit.add)
          ? current.tools
          : [...current.tools, edit.add]
        : current.tools.filter((t) => t !== edit.remove);
    if (tools.length === current.tools.length && tools.every((t, i) => t === current.tools[i])) {
      return { agent: current, changed: false };
    }
    return { agent: await this.update(env, current.name, { tools }), changed: true };
  }

  /** Writes an agent's file, unchanged, to a path on this machine (local doors only: it writes outside the home). */
  exportTo(env: string, name: string, dest: string, options: { force?: boolean } = {}): string {
    this.ctx.authorize('admin', env);
    return this.service.exportTo(env, name, dest, options);
  }
}

function target(env: string, name: string): string {
  return `${env}/${name}`;
}
