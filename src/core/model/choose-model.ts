import type { StationConfig } from '../config/station-config.js';

/**
 * Why a run uses its model: `flag` (the run's --model), `override` (config.yaml model.override), `alias` (the
 * agent file's model, mapped by model.aliases), `file` (the agent file's model as written), `config` (the
 * agent names none: config.yaml model.name).
 */
export type ModelReason = 'flag' | 'override' | 'alias' | 'file' | 'config';

export const MODEL_REASONS: readonly ModelReason[] = ['flag', 'override', 'alias', 'file', 'config'];

/** The model a run uses and why: what `agent show`, `agent render` and `run.started` say. */
export interface ModelChoice {
  model: string;
  reason: ModelReason;
  /** The agent file's `model:` (null when it names none). */
  fileModel: string | null;
  /** The model.aliases key that matched (reason `alias`). */
  alias?: string;
  /** One line for people: `gpt-4o-mini (agent file says gemini-2.5-flash; config.yaml model.aliases "gemini-*")`. */
  explanation: string;
}

export type ModelChoiceConfig = Pick<StationConfig['model'], 'name' | 'aliases' | 'override'>;

/**
 * The one rule for a run's model, in order: the run's --model; config.yaml `model.override: true` (the
 * configured `model.name` for every agent, as the original Station did); the agent file's `model:`, mapped
 * by `model.aliases` when a key matches it; config.yaml `model.name`.
 */
export function chooseModel(config: ModelChoiceConfig, agentModel: string | undefined, runModel?: string): ModelChoice {
  const fileModel = nonEmpty(agentModel) ?? null;
  const flag = nonEmpty(runModel);
  const file = fileModel === null ? '' : `; the agent file says ${fileModel}`;
  if (flag !== undefined) {
    return { model: flag, reason: 'flag', fileModel, explanation: `${flag} (--model${file})` };
  }
  if (config.override) {
    return {
      model: config.name,
      reason: 'override',
      fileModel,
      explanation: `${config.name} (config.yaml model.override${file})`,
    };
  }
  if (fileModel !== null) {
    const alias = matchAlias(config.aliases, fileModel);
    if (alias !== undefined) {
      const [key, target] = alias;
      return {
        model: target,
        reason: 'alias',
        fileModel,
        alias: key,
        explanation: `${target} (the agent file says ${fileModel}; config.yaml model.aliases "${key}")`,
      };
    }
    return { model: fileModel, reason: 'file', fileModel, explanation: `${fileModel} (the agent file)` };
  }
  return { model: config.name, reason: 'config', fileModel, explanation: `${config.name} (config.yaml model.name)` };
}

/** The alias for a model name: an exact key first, then the first pattern (`*`, `?`) that matches. */
export function matchAlias(aliases: Readonly<Record<string, string>>, model: string): [string, string] | undefined {
  const exact = Object.hasOwn(aliases, model) ? aliases[model] : undefined;
  if (exact !== undefined) return [model, exact];
  for (const [key, target] of Object.entries(aliases)) {
    if (/[*?]/.test(key) && globMatches(key, model)) return [key, target];
  }
  return undefined;
}

/** Whether `text` matches a pattern where `*` is any text and `?` one character (nothing else is special). */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split(/([*?])/)
    .map((part) => (part === '*' ? '.*' : part === '?' ? '.' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(text);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
