import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EnvironmentService } from '../environments/environment-service.js';
import {
  ConflictError,
  FileFormatError,
  NotFoundError,
  StationError,
  ValidationError,
  errorMessage,
} from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { shellQuote } from '../fs/private-files.js';
import { resolveToolReference } from '../mcp/tool-names.js';
import { splitPromptDocument } from '../prompt/document.js';
import { nameFromFileName, parseAgentFile, readAgentFile } from '../prompt/parse.js';
import { checkAgentTemplate } from '../prompt/render.js';
import { serializeAgent } from '../prompt/serialize.js';
import type { AgentDefinition } from '../prompt/types.js';
import {
  AgentRepo,
  type AgentIndexState,
  type AgentRecord,
  type AgentSummaryRow,
  type EnvironmentTool,
} from '../store/agent-repo.js';
import type { StoreDb } from '../store/store-db.js';
import { writeUnlessLocked } from '../store/lock-waits.js';
import { contentHash, listPromptFiles, writeNewFileAtomic, type PromptFile } from './agent-files.js';
import { fileStamp, stampNumber } from '../fs/file-stamps.js';
import {
  overlayPlan,
  planIndex,
  planWrites,
  type IndexPlan,
  type IndexResult,
  type LoadedFile,
} from './agent-index.js';
import { agentFileName, validateAgentName } from './agent-names.js';
import { closeNames } from './close-names.js';
import { applyPatch, checkDraft, draftText, type AgentDraft, type AgentPatch } from './agent-draft.js';
import {
  keyProblem,
  undeclaredVariables,
  prepare,
  problemOf,
  schemaIssues,
  withoutPosition,
  type AgentCheck,
  type AgentProblem,
  type AgentValidationReport,
} from './agent-checks.js';

/** What `stn agent list --json` prints for each agent: a stable shape. */
export interface AgentSummary {
  /**
   * The agent's row id in station.db (null while a new file waits for a locked database to be indexed). It
   * stays while the file is edited in place; a renamed or removed file, or a rebuilt station.db, gives a new
   * one. `stn agent show 3` and the other agent commands take it where the original Station took its ids.
   */
  id: number | null;
  name: string;
  fileName: string;
  path: string;
  description: string;
  model: string | null;
  maxSteps: number | null;
  tags: string[];
  tools: string[];
  updatedAt: string;
}

/** An agent file as it is on disk: its text and the hash used to detect concurrent edits. */
export interface AgentSource {
  agent: AgentDefinition;
  text: string;
  hash: string;
  /** Likely typos among its frontmatter keys (`max_step`), each as `file:line:col: unknown key ...; did you mean ...?`. */
  warnings: string[];
}

export interface ImportResult {
  agent: AgentDefinition;
  replaced: boolean;
  warnings: string[];
}

/**
 * Agents of an environment: `.prompt` files in `<env>/agents/` are the truth; the `agents` and
 * `agent_tools` tables are their index, refreshed from the files by every read (unchanged files are
 * skipped by their change stamp). Writes go to the file atomically, then to the index in one transaction.
 */
export class AgentService {
  private readonly repo: AgentRepo;

  /**
   * Told when an agent was found by its numeric id rather than its name (the original Station's way), with a
   * one-line hint naming it: the CLI prints it on stderr.
   */
  onNotice: ((message: string) => void) | undefined;

  constructor(
    private readonly db: StoreDb,
    private readonly environments: EnvironmentService,
  ) {
    this.repo = new AgentRepo(db);
  }

  /** The agents folder of an environment. */
  dir(env: string): string {
    return join(this.environments.dir(env), 'agents');
  }

  /**
   * Brings the index of one environment up to date with its files (writers do this first). When another
   * process holds the database's write lock, it waits the busy timeout and then fails (exit 7).
   */
  index(env: string): IndexResult {
    return this.indexEnvironment(env, this.environments.require(env).id, 'write').result;
  }

  /**
   * An index pass. It writes only when files changed. For a reader (`read`), a write the database's lock
   * refuses is skipped: the plan comes back as `pending`, and the reader lays it over the rows it reads.
   */
  private indexEnvironment(
    env: string,
    envId: number,
    mode: 'read' | 'write',
  ): { result: IndexResult; pending?: IndexPlan } {
    const dir = this.dir(env);
    const files = listPromptFiles(dir);
    const cache = new Map<string, LoadedFile>();
    const load = (file: PromptFile): LoadedFile => {
      const key = `${file.fileName}\u0000${String(file.stamp)}`;
      let loaded = cache.get(key);
      if (loaded === undefined) {
        loaded = loadFile(join(dir, file.fileName), file);
        cache.set(key, loaded);
      }
      return loaded;
    };
    const first = planIndex(files, this.repo.indexState(envId), load);
    if (!planWrites(first)) return { result: first.result };
    const write = (): IndexResult =>
      this.db
        .transaction(() => {
          // Plan again on the rows as they are now that we hold the write lock (another stn may have indexed).
          const plan = planIndex(files, this.repo.indexState(envId), load);
          this.apply(envId, plan);
          return plan.result;
        })
        .immediate();
    if (mode === 'write') return { result: write() };
    const outcome = writeUnlessLocked(this.db, write);
    return outcome.written ? { result: outcome.value } : { result: first.result, pending: first };
  }

  /** The agents of an environment (index refreshed first) and the files that could not be read. */
  scan(env: string): { agents: AgentSummary[]; errors: IndexResult['errors'] } {
    const envId = this.environments.require(env).id;
    const { result, pending } = this.indexEnvironment(env, envId, 'read');
    const dir = this.dir(env);
    const tools = this.repo.toolsByAgent(envId);
    let rows = this.repo.summaries(envId);
    if (pending !== undefined) {
      const now = Date.now();
      rows = overlayPlan(rows, pending, ({ fileName, agent }, id) => {
        tools.set(id, [...agent.tools]);
        return {
          id,
          name: agent.name,
          file_name: fileName,
          description: agent.description,
          model: agent.model ?? null,
          max_steps: agent.maxSteps ?? null,
          tags_json: JSON.stringify(agent.tags),
          updated_at: now,
        };
      }).sort((a, b) => byName(a.name, b.name));
    }
    const agents = rows.map((row) => summarize(row, dir, tools.get(row.id) ?? []));
    return { agents, errors: result.errors };
  }

  list(env: string): AgentSummary[] {
    return this.scan(env).agents;
  }

  /** Agents indexed in every environment (as last indexed; nothing is read from disk). */
  count(): number {
    return this.repo.count();
  }

  /**
   * Where an agent's file is, without parsing it: by agent name, else by file name. A file that does not
   * parse can still be found by its file name (e.g. to edit or delete it).
   */
  locate(env: string, name: string): { name: string; fileName: string; path: string } {
    const dir = this.dir(env);
    try {
      const row = this.find(env, name);
      return { name: row.name, fileName: row.file_name, path: join(dir, row.file_name) };
    } catch (error) {
      if (!(error instanceof FileFormatError)) throw error;
      const fileName = name.endsWith('.prompt') ? name : agentFileName(name);
      const path = join(dir, fileName);
      if (!existsSync(path)) throw error;
      return { name: nameFromFileName(fileName), fileName, path };
    }
  }

  /** The exact text of an agent's file and its hash, without parsing it (for editors). */
  rawSource(env: string, name: string): { name: string; fileName: string; path: string; text: string; hash: string } {
    const found = this.locate(env, name);
    const text = readText(found.path);
    return { ...found, text, hash: contentHash(text) };
  }

  /** An agent read from its file. NotFoundError lists close names. */
  get(env: string, name: string): AgentDefinition {
    return this.source(env, name).agent;
  }

  /** An agent with the exact text of its file. */
  source(env: string, name: string): AgentSource {
    const row = this.find(env, name);
    const path = join(this.dir(env), row.file_name);
    const text = readText(path);
    const { agent, warnings } = readAgentFile(path, text);
    return { agent, text, hash: contentHash(text), warnings: warnings.map((w) => w.message) };
  }

  async create(env: string, draft: AgentDraft): Promise<AgentDefinition> {
    validateAgentName(draft.name);
    checkDraft(draft);
    const path = join(this.dir(env), agentFileName(draft.name));
    const text = draftText(draft);
    let agent: AgentDefinition;
    try {
      agent = await prepare(path, text, 'create');
    } catch (error) {
      // The text was made from the draft: name the field, not a position in a file that does not exist.
      if (!(error instanceof FileFormatError)) throw error;
      const reason = withoutPosition(error);
      throw new ValidationError(`cannot create agent "${draft.name}": ${reason}`, [
        { field: error.position.key ?? 'template', message: reason },
      ]);
    }
    this.requireKnownTools(env, agent);
    return this.writeNew(env, agent, text);
  }

  /** Applies changes to an agent and rewrites its file in the canonical form. */
  async update(env: string, name: string, patch: AgentPatch): Promise<AgentDefinition> {
    const current = this.source(env, name);
    const text = serializeAgent(applyPatch(current.agent, patch));
    const agent = await prepare(requirePath(current.agent), text, 'update');
    return this.commit(env, current.agent.name, requirePath(current.agent), current.text, agent, text);
  }

  /**
   * Replaces an agent's file with new text (what `stn agent edit` saves). The text is validated first;
   * if the file changed on disk since `expectedHash` was read, nothing is written. A new name in the text
   * renames the file. Works on a file that does not parse yet (to fix it).
   */
  async replaceText(
    env: string,
    name: string,
    text: string,
    options: { expectedHash?: string } = {},
  ): Promise<AgentDefinition> {
    const found = this.locate(env, name);
    const currentText = readText(found.path);
    if (options.expectedHash !== undefined && options.expectedHash !== contentHash(currentText)) {
      throw new ConflictError(`${found.path} changed on disk while it was being edited; nothing was written`, {
        hints: [`Run the edit again: stn agent edit "${found.name}" --env ${env}`],
      });
    }
    let agent = await prepare(found.path, text, 'save');
    if (agent.name !== found.name) {
      validateAgentName(agent.name);
      agent = await prepare(join(this.dir(env), agentFileName(agent.name)), text, 'save');
    }
    return this.commit(env, found.name, found.path, currentText, agent, text);
  }

  /** Renames an agent: a new `<name>.prompt` file, the same index row (its run history follows). */
  async rename(env: string, name: string, newName: string): Promise<AgentDefinition> {
    validateAgentName(newName);
    const current = this.source(env, name);
    if (newName === current.agent.name) return current.agent;
    const fileName = agentFileName(newName);
    const text = serializeAgent({ ...current.agent, name: newName, fileName });
    const agent = await prepare(join(this.dir(env), fileName), text, 'rename');
    return this.commit(env, current.agent.name, requirePath(current.agent), current.text, agent, text);
  }

  /**
   * Deletes an agent's file and index row (also when the file no longer parses). Its runs keep their
   * history: agent_runs keeps the agent name, and its agent_id becomes NULL.
   */
  delete(env: string, name: string): { name: string; fileName: string; path: string } {
    const found = this.locate(env, name);
    const row = this.repo.indexState(this.environments.require(env).id).find((r) => r.file_name === found.fileName);
    const aside = join(this.dir(env), `.${found.fileName}.deleting-${randomBytes(4).toString('hex')}`);
    renameSync(found.path, aside);
    try {
      if (row !== undefined) this.db.transaction(() => this.repo.delete(row.id)).immediate();
    } catch (error) {
      renameSync(aside, found.path);
      throw error;
    }
    rmSync(aside, { force: true });
    return found;
  }

  /** Copies an agent into another environment (optionally under another name). */
  async copy(env: string, name: string, toEnv: string, options: { name?: string } = {}): Promise<AgentDefinition> {
    const current = this.source(env, name);
    const newName = options.name ?? current.agent.name;
    validateAgentName(newName);
    const fileName = agentFileName(newName);
    const text =
      newName === current.agent.name && fileName === current.agent.fileName
        ? current.text
        : serializeAgent({ ...current.agent, name: newName, fileName });
    const agent = await prepare(join(this.dir(toEnv), fileName), text, 'copy');
    return this.writeNew(toEnv, agent, text);
  }

  /** Writes an agent's file, unchanged, to `dest` (a file, or a folder to put `<file name>` in). */
  exportTo(env: string, name: string, dest: string, options: { force?: boolean } = {}): string {
    const { agent, text } = this.source(env, name);
    let target = resolve(dest);
    if (existsSync(target) && statSync(target).isDirectory()) target = join(target, agent.fileName);
    if (existsSync(target) && options.force !== true) {
      throw new ConflictError(`${target} already exists; nothing was written`, {
        hints: ['Add --force to overwrite it.'],
      });
    }
    writeFileAtomic(target, text);
    return target;
  }

  /**
   * Brings a `.prompt` file into an environment after validating it (syntax, template, schemas). Tool
   * references that the environment's synced tools do not resolve are warnings (the server may be added
   * later). An agent of the same name is replaced only with `force`.
   */
  async importFile(env: string, file: string, options: { name?: string; force?: boolean } = {}): Promise<ImportResult> {
    const source = resolve(file);
    const original = readText(source);
    const read = readAgentFile(source, original);
    let agent = read.agent;
    await checkAgentTemplate(agent, splitPromptDocument(source, original).bodyLine);
    let text = original;
    const newName = options.name ?? agent.name;
    validateAgentName(newName);
    const fileName = agentFileName(newName);
    if (newName !== agent.name) {
      text = serializeAgent({ ...agent, name: newName, fileName });
      agent = parseAgentFile(fileName, text);
    }
    const problems = schemaIssues(agent);
    if (problems.length > 0)
      throw new ValidationError(
        `${source}: ${problems.join('; ')}`,
        problems.map((message) => ({ field: 'schema', message })),
      );
    const warnings = [
      ...read.warnings.map((w) => w.message),
      ...[...undeclaredVariables(agent), ...this.toolProblems(env, agent)].map((p) => p.message),
    ];
    this.index(env);
    const existing = this.repo.byName(this.environments.require(env).id, newName);
    if (existing === undefined) {
      const written = await this.writeNewChecked(env, fileName, text);
      return { agent: written, replaced: false, warnings };
    }
    if (options.force !== true) {
      throw new ConflictError(`agent "${newName}" already exists in environment "${env}"; nothing was written`, {
        hints: ['Add --force to replace it, or --name to import it under another name.'],
      });
    }
    const current = this.locate(env, newName);
    const replaced = await prepare(current.path, text, 'import');
    return {
      agent: this.commit(env, current.name, current.path, readText(current.path), replaced, text),
      replaced: true,
      warnings,
    };
  }

  /**
   * Checks every agent file of an environment: YAML and keys, template, schemas, duplicate names, and
   * tool references against the tools of the last sync (when there are any).
   */
  async validate(env: string, names?: readonly string[]): Promise<AgentValidationReport> {
    const envRow = this.environments.require(env);
    const dir = this.dir(env);
    const tools = this.repo.environmentTools(envRow.id);
    let files = listPromptFiles(dir).map((f) => f.fileName);
    if (names !== undefined && names.length > 0) files = names.map((n) => this.locate(env, n).fileName);
    const checks: AgentCheck[] = [];
    const byName = new Map<string, AgentCheck[]>();
    for (const fileName of files) {
      const path = join(dir, fileName);
      const check: AgentCheck = { file: path, name: null, ok: true, problems: [] };
      checks.push(check);
      const text = readText(path);
      let agent: AgentDefinition;
      try {
        const read = readAgentFile(path, text);
        agent = read.agent;
        check.name = agent.name;
        check.problems.push(...read.warnings.map(keyProblem));
        await checkAgentTemplate(agent, splitPromptDocument(path, text).bodyLine);
      } catch (error) {
        check.problems.push(problemOf(error));
        continue;
      }
      byName.set(agent.name, [...(byName.get(agent.name) ?? []), check]);
      for (const message of schemaIssues(agent)) check.problems.push({ severity: 'error', message });
      check.problems.push(...undeclaredVariables(agent));
      if (tools.length > 0) check.problems.push(...this.toolProblems(env, agent, tools));
    }
    for (const [name, same] of byName) {
      if (same.length < 2) continue;
      const list = same.map((c) => basename(c.file)).join(', ');
      for (const c of same)
        c.problems.push({
          severity: 'error',
          message: `the agent name "${name}" is used by ${String(same.length)} files: ${list}`,
        });
    }
    for (const check of checks) check.ok = !check.problems.some((p) => p.severity === 'error');
    const all = checks.flatMap((c) => c.problems);
    return {
      environment: env,
      toolsChecked: tools.length > 0,
      agents: checks,
      errors: all.filter((p) => p.severity === 'error').length,
      warnings: all.filter((p) => p.severity === 'warning').length,
    };
  }

  /**
   * Refuses tool references that the environment's recorded tools (from the last sync) do not provide, with
   * the closest recorded names as hints. An environment never synced records no tools: nothing is refused.
   */
  private requireKnownTools(env: string, agent: AgentDefinition): void {
    const tools = this.repo.environmentTools(this.environments.require(env).id);
    const problems = this.toolProblems(env, agent, tools);
    if (problems.length === 0) return;
    const names = tools.map((t) => `${t.server}__${t.name}`);
    const hints = agent.tools.flatMap((reference) => {
      const close = closeNames(reference.replace(/^__/, ''), names);
      return close.length > 0 && !names.includes(reference) ? [`${reference}: did you mean ${close.join(', ')}?`] : [];
    });
    throw new ValidationError(
      `cannot create agent "${agent.name}": ${problems.map((p) => p.message).join('; ')}`,
      problems.map((p) => ({ field: p.key ?? 'tools', message: p.message })),
      { hints: [...hints, `See the recorded tools: stn mcp tools --env ${env}`] },
    );
  }

  /** Tool references that do not resolve against the synced tools of an environment (none if none synced). */
  toolProblems(env: string, agent: AgentDefinition, known?: readonly EnvironmentTool[]): AgentProblem[] {
    const tools = known ?? this.repo.environmentTools(this.environments.require(env).id);
    if (tools.length === 0) return [];
    const problems: AgentProblem[] = [];
    agent.tools.forEach((reference, i) => {
      const r = resolveToolReference(reference, tools);
      if (r.ok) return;
      problems.push({
        severity: 'error',
        key: `tools.${String(i)}`,
        message:
          r.reason === 'ambiguous'
            ? `tool "${reference}" is ambiguous: ${r.choices.join(', ')} all match; write the server-qualified name`
            : `tool "${reference}" is not provided by any server of environment "${env}" (as of the last stn sync)`,
      });
    });
    return problems;
  }

  // ---------------------------------------------------------------------------------------------------

  /** The index row of an agent by name (then by file name), or a NotFoundError with close names. */
  private find(env: string, name: string): AgentIndexState {
    const envId = this.environments.require(env).id;
    const { result, pending } = this.indexEnvironment(env, envId, 'read');
    const { errors } = result;
    let rows = this.repo.indexState(envId);
    if (pending !== undefined) {
      rows = overlayPlan(rows, pending, (file, id) => ({
        id,
        name: file.agent.name,
        file_name: file.fileName,
        content_hash: file.hash,
        file_mtime_ms: file.stamp,
      }));
    }
    const row =
      rows.find((r) => r.name === name) ??
      rows.find((r) => r.file_name === name || r.file_name === agentFileName(name)) ??
      single(rows.filter((r) => r.name.toLowerCase() === name.toLowerCase()));
    if (row !== undefined) return row;
    const broken = errors.find((e) => e.file === agentFileName(name) || e.file === name);
    if (broken !== undefined) {
      // The file is there but not indexed: parsing it again throws its error with file, line and key.
      const path = join(this.dir(env), broken.file);
      parseAgentFile(path, readText(path));
      throw new FileFormatError({ file: path }, broken.message);
    }
    // The original Station's numeric ids (`stn agent show 3`): a name that is a number wins (a file of that
    // name that does not parse too: its error is thrown above).
    const byId = /^[1-9][0-9]{0,15}$/.test(name) ? rows.find((r) => r.id === Number(name)) : undefined;
    if (byId !== undefined) {
      const shown = /^[A-Za-z0-9_.-]+$/.test(byId.name) ? byId.name : JSON.stringify(byId.name);
      this.onNotice?.(`agent ${name} is "${byId.name}"; Station names agents: stn agent show ${shown}`);
      return byId;
    }
    const suggestions = closeNames(
      name,
      rows.map((r) => r.name),
    );
    throw new NotFoundError(`agent "${name}" does not exist in environment "${env}"`, {
      hints: [
        suggestions.length > 0
          ? `Did you mean: ${suggestions.map((s) => `"${s}"`).join(', ')}?`
          : rows.length > 0
            ? `See the agents there: stn agent list --env ${env}`
            : `Environment "${env}" has no agents yet: stn agent create --env ${env}`,
        ...(/^[0-9]+$/.test(name) && rows.length > 0
          ? [`No agent of "${env}" has the id ${name} either; stn agent list --env ${env} shows the ids.`]
          : []),
      ],
    });
  }

  private async writeNewChecked(env: string, fileName: string, text: string): Promise<AgentDefinition> {
    const agent = await prepare(join(this.dir(env), fileName), text, 'import');
    return this.writeNew(env, agent, text);
  }

  /** Writes a new agent file (never over an existing one) and indexes it. */
  private writeNew(env: string, agent: AgentDefinition, text: string): AgentDefinition {
    const envId = this.environments.require(env).id;
    this.index(env);
    const clash = this.repo.byName(envId, agent.name);
    const path = requirePath(agent);
    if (clash !== undefined) {
      throw new ConflictError(
        `agent "${agent.name}" already exists in environment "${env}" (${clash.file_name}); nothing was written`,
        {
          hints: [`Pick another name, or change it: stn agent edit "${agent.name}" --env ${env}`],
        },
      );
    }
    writeNewFileAtomic(path, text);
    try {
      this.db.transaction(() => this.record(envId, undefined, path, agent, text)).immediate();
    } catch (error) {
      rmSync(path, { force: true });
      throw error;
    }
    return agent;
  }

  /**
   * Writes an existing agent's new text and its row together. Same file: rewritten atomically (refused if
   * it changed on disk since `oldText` was read). New file (a rename): created, the row moved to it, the
   * old file removed. If the row cannot be written, the files are put back.
   */
  private commit(
    env: string,
    oldName: string,
    oldPath: string,
    oldText: string,
    agent: AgentDefinition,
    text: string,
  ): AgentDefinition {
    // Rows as the files are now (waiting for another process's lock, as the write below will).
    this.index(env);
    const envId = this.environments.require(env).id;
    const newPath = requirePath(agent);
    const row = this.repo.byName(envId, oldName);
    const clash = this.repo.byName(envId, agent.name);
    if (clash !== undefined && clash.id !== row?.id) {
      throw new ConflictError(
        `agent "${agent.name}" already exists in environment "${env}" (${clash.file_name}); nothing was written`,
        {
          hints: ['Pick another name, or delete that agent first.'],
        },
      );
    }
    if (newPath === oldPath) {
      if (readText(oldPath) !== oldText) {
        throw new ConflictError(`${oldPath} changed on disk meanwhile; nothing was written`, {
          hints: ['Run the command again.'],
        });
      }
      writeFileAtomic(newPath, text);
      try {
        this.db.transaction(() => this.record(envId, row?.id, newPath, agent, text)).immediate();
      } catch (error) {
        writeFileAtomic(oldPath, oldText);
        throw error;
      }
      return agent;
    }
    writeNewFileAtomic(newPath, text);
    try {
      this.db.transaction(() => this.record(envId, row?.id, newPath, agent, text)).immediate();
    } catch (error) {
      rmSync(newPath, { force: true });
      throw error;
    }
    rmSync(oldPath, { force: true });
    return agent;
  }

  /** Writes one agent's index row and tool references (inside the caller's transaction). */
  private record(envId: number, rowId: number | undefined, path: string, agent: AgentDefinition, text: string): void {
    this.save(
      envId,
      rowId,
      { fileName: basename(path), stamp: stampNumber(fileStamp(path)), hash: contentHash(text), agent },
      this.repo.environmentTools(envId),
    );
  }

  private apply(envId: number, plan: IndexPlan): void {
    for (const row of plan.deletes) this.repo.delete(row.id);
    for (const t of plan.touches) this.repo.touch(t.id, t.stamp);
    // Rows that change name first give theirs up, so that two files may swap names in one pass.
    for (const u of plan.upserts) if (u.row !== undefined) this.repo.parkName(u.row.id);
    const tools = plan.upserts.length > 0 ? this.repo.environmentTools(envId) : [];
    for (const u of plan.upserts.filter((x) => x.row !== undefined)) this.save(envId, u.row?.id, u.file, tools);
    for (const u of plan.upserts.filter((x) => x.row === undefined)) this.save(envId, undefined, u.file, tools);
  }

  private save(
    envId: number,
    rowId: number | undefined,
    file: { fileName: string; stamp: number; hash: string; agent: AgentDefinition },
    tools: readonly EnvironmentTool[],
  ): void {
    const { agent } = file;
    const record: AgentRecord = {
      name: agent.name,
      fileName: file.fileName,
      description: agent.description,
      model: agent.model ?? null,
      maxSteps: agent.maxSteps ?? null,
      tags: agent.tags,
      inputSchema: agent.inputSchema,
      outputSchema: agent.outputSchema,
      contentHash: file.hash,
      stamp: file.stamp,
      tools: agent.tools,
    };
    let id = rowId;
    if (id === undefined) id = this.repo.insert(envId, record);
    else this.repo.update(id, record);
    this.repo.setTools(id, agent.tools, (reference) => {
      const r = resolveToolReference(reference, tools);
      return r.ok ? (tools.find((t) => t.server === r.server && t.name === r.tool)?.id ?? null) : null;
    });
  }
}

function loadFile(path: string, file: PromptFile): LoadedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ...file, hash: '', text: '', error: `${path}: cannot be read: ${errorMessage(error)}` };
  }
  const hash = contentHash(text);
  try {
    return { ...file, hash, text, agent: parseAgentFile(path, text) };
  } catch (error) {
    if (error instanceof StationError) return { ...file, hash, text, error: error.message };
    throw error;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NotFoundError(`${path} does not exist`, { hints: ['Check the path.'] });
    }
    if (code === 'EISDIR') {
      throw new ValidationError(`${path} is a folder: expected a .prompt file`, [], {
        hints: [`Import each file of it: for f in ${shellQuote(path)}/*.prompt; do stn agent import "$f"; done`],
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ValidationError(`${path} cannot be read: permission denied`, [], {
        hints: [`Check its owner and mode: ls -l ${shellQuote(path)}`],
      });
    }
    throw error;
  }
}

function requirePath(agent: AgentDefinition): string {
  if (agent.path === undefined) throw new Error(`agent "${agent.name}" has no file path`);
  return agent.path;
}

/** The order of `agent list`: by name ignoring case (as SQLite's NOCASE), then exactly. */
function byName(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function single<T>(items: readonly T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}

function summarize(row: AgentSummaryRow, dir: string, tools: string[]): AgentSummary {
  return {
    id: row.id > 0 ? row.id : null,
    name: row.name,
    fileName: row.file_name,
    path: dir + sep + row.file_name,
    description: row.description,
    model: row.model,
    maxSteps: row.max_steps,
    tags: JSON.parse(row.tags_json) as string[],
    tools,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
