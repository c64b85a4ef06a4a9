import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { Prompt } from '../../cli/prompt.js';
import { StationError, UsageError, type AgentDefinition } from '../../core/index.js';

export default class AgentEdit extends BaseCommand<typeof AgentEdit> {
  static override summary = 'Edit an agent file in $EDITOR; it is validated before it replaces the original.';
  static override description =
    'Opens a temporary copy in $VISUAL, else $EDITOR, else vi. On save the copy is checked (YAML, keys, template, schemas); if it is invalid you can edit again (on a terminal); otherwise nothing is saved and your edited text is kept in <home>/tmp (mode 0600), named in the error. Changing the name in the file renames the agent. --rename renames without an editor.';
  static override examples = [
    '<%= config.bin %> agent edit reviewer',
    'EDITOR="code --wait" <%= config.bin %> agent edit "Security Scanner" --env prod',
    '<%= config.bin %> agent edit reviewer --rename code-reviewer',
  ];
  static override args = {
    name: Args.string({ description: 'Agent to edit.', required: true, ignoreStdin: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    rename: Flags.string({ description: 'Rename the agent (and its file) instead of opening an editor.' }),
  };

  async run(): Promise<AgentDefinition> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    if (this.flags.rename !== undefined) {
      const renamed = await api.agents.update(env, this.args.name, { name: this.flags.rename });
      this.say(`Renamed agent to ${this.style.bold(renamed.name)} (${renamed.fileName}).`);
      return renamed;
    }
    const source = api.agents.rawSource(env, this.args.name);
    const dir = mkdtempSync(join(tmpdir(), 'stn-edit-'));
    const copy = join(dir, source.fileName);
    try {
      writeFileSync(copy, source.text, { mode: 0o600 });
      const saved = await editUntilValid(source.text, {
        edit: () => runEditor(copy),
        read: () => readFileSync(copy, 'utf8'),
        save: (text) => api.agents.replaceText(env, source.name, text, { expectedHash: source.hash }),
        retry: (error) => askRetry(new Prompt(), error),
      }).catch((error: unknown) => {
        throw recoveryError(error, copy, source.path, engine.paths.home, source.text);
      });
      if (saved === undefined) {
        this.say('No changes.');
        return api.agents.get(env, source.name);
      }
      this.say(`Saved ${this.style.bold(saved.name)} (${saved.path ?? saved.fileName}).`);
      return saved;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * After a failed save of changed text: keeps that text in `<home>/tmp` (mode 0600) and returns the error
 * restated to say nothing was saved, name the recovery file, and point its positions at that file (the
 * edited text) rather than at the unchanged original.
 */
function recoveryError(error: unknown, copy: string, original: string, home: string, sourceText: string): unknown {
  if (!(error instanceof StationError) || error.code === 'conflict') return error;
  let text: string;
  try {
    text = readFileSync(copy, 'utf8');
  } catch {
    return error;
  }
  if (text === sourceText) return error;
  const dir = join(home, 'tmp');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `edit-${stamp}-${basename(original)}`);
  writeFileSync(file, text, { mode: 0o600 });
  const message = `${error.message.split(original).join(file)}\nNothing was saved; your edited text is kept in ${file}`;
  return new StationError(error.code, message, error.exitCode, {
    hints: [`Fix it there, then: stn agent import ${file} --force (or edit again)`, ...error.hints],
    details: { ...error.details, recoveryFile: file },
    cause: error,
  });
}

/** One editing session on a temporary copy of an agent file. */
export interface EditSession {
  /** Opens the editor on the copy and waits for it. */
  edit(): void;
  /** The copy's text after the editor closed. */
  read(): string;
  /** Validates and saves the text over the original (throws when invalid; the original stays). */
  save(text: string): Promise<AgentDefinition>;
  /** Whether to edit again after `error` (asks on a terminal; false elsewhere). */
  retry(error: StationError): Promise<boolean>;
}

/**
 * Edits until the text is saved or the user gives up: unchanged text saves nothing (undefined); an invalid
 * save is offered for another edit (the copy keeps the user's work), else its error is thrown. A conflict
 * (the file changed on disk meanwhile) is never retried.
 */
export async function editUntilValid(original: string, session: EditSession): Promise<AgentDefinition | undefined> {
  for (;;) {
    session.edit();
    const text = session.read();
    if (text === original) return undefined;
    try {
      return await session.save(text);
    } catch (error) {
      if (!(error instanceof StationError) || error.code === 'conflict' || !(await session.retry(error))) throw error;
    }
  }
}

/** Runs the user's editor on a file and waits for it; the editor command may carry arguments. */
function runEditor(file: string): void {
  const editor = process.env.VISUAL?.trim() || process.env.EDITOR?.trim() || 'vi';
  const result =
    process.platform === 'win32'
      ? spawnSync(`${editor} "${file}"`, { stdio: 'inherit', shell: true })
      : spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
  if (result.error !== undefined)
    throw new UsageError(`cannot start the editor "${editor}": ${result.error.message}`, {
      hints: ['Set EDITOR or VISUAL.'],
    });
  if (result.status !== 0) {
    throw new UsageError(
      `the editor "${editor}" exited with status ${String(result.status ?? result.signal)}; nothing was saved`,
    );
  }
}

/** On a terminal: shows the problem and asks whether to edit again. Elsewhere: no. */
async function askRetry(prompt: Prompt, error: StationError): Promise<boolean> {
  if (!prompt.interactive) return false;
  prompt.write(`\n${error.message}\n`);
  try {
    return await prompt.confirm('Edit again? (n keeps the original)', { default: true });
  } finally {
    prompt.close();
  }
}
