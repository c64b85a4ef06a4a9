import type { StationConfig } from '../config/station-config.js';
import { secretLabel, type Secret } from '../mcp/redactor.js';

/** Where and how to reach the model for one run. The key is held here only; never logged or recorded. */
export interface ModelSettings {
  baseUrl: string;
  /** undefined when no key is set (local endpoints such as Ollama need none). */
  apiKey: string | undefined;
  /** The variable the key came from (safe to show), or the one that was looked for. */
  apiKeyVariable: string;
  model: string;
}

export interface ModelOverrides {
  /** The agent's `model:` from its frontmatter. */
  agentModel?: string | undefined;
  /** The run's --model. */
  runModel?: string | undefined;
}

/**
 * Base URL: OPENAI_BASE_URL, else config `model.base_url`. API key: the variable named by config
 * `model.api_key_env`, else OPENAI_API_KEY. Model: the run's --model, else the agent's `model:`, else
 * config `model.name`.
 */
export function resolveModelSettings(
  config: Pick<StationConfig['model'], 'baseUrl' | 'name' | 'apiKeyEnv'>,
  env: NodeJS.ProcessEnv,
  overrides: ModelOverrides = {},
): ModelSettings {
  const configured = nonEmpty(env[config.apiKeyEnv]);
  const fallback = nonEmpty(env.OPENAI_API_KEY);
  return {
    baseUrl: nonEmpty(env.OPENAI_BASE_URL) ?? config.baseUrl,
    apiKey: configured ?? fallback,
    apiKeyVariable: configured !== undefined || fallback === undefined ? config.apiKeyEnv : 'OPENAI_API_KEY',
    model: nonEmpty(overrides.runModel) ?? nonEmpty(overrides.agentModel) ?? config.name,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The API key as a secret to mask, named by the variable it came from (none when no key is set). */
export function modelKeySecrets(settings: Pick<ModelSettings, 'apiKey' | 'apiKeyVariable'>): Secret[] {
  return settings.apiKey === undefined ? [] : [{ value: settings.apiKey, label: secretLabel(settings.apiKeyVariable) }];
}
