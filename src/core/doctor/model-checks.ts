/**
 * The model area: one cheap call (list the endpoint's models, with the openai SDK the runs use) says
 * whether the endpoint answers, whether it takes the key, and whether it offers the configured model.
 * The SDK is loaded here only, when the check runs.
 */
import { closeNames } from '../agents/close-names.js';
import type { StationConfig } from '../config/station-config.js';
import { errorMessage } from '../errors.js';
import { makeRedactor, type Redact } from '../mcp/redactor.js';
import { modelKeySecrets, resolveModelSettings, type ModelSettings } from '../model/settings.js';
import { plural } from './config-checks.js';
import type { DoctorCheck } from './types.js';

export interface ModelCheckOptions {
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
}

/** Most model ids read from a listing (hosted endpoints list a few hundred at most). */
const MAX_MODELS = 5000;

export async function checkModel(
  config: StationConfig,
  env: NodeJS.ProcessEnv,
  options: ModelCheckOptions = {},
): Promise<DoctorCheck[]> {
  const settings = resolveModelSettings(config.model, env);
  // An endpoint may quote the key it was sent (in a 401's message, a URL): never show it.
  const redact = makeRedactor(modelKeySecrets(settings));
  const checks = await modelChecks(settings, env, options, redact);
  return checks.map((c) => ({ ...c, detail: redact(c.detail), hint: c.hint === null ? null : redact(c.hint) }));
}

async function modelChecks(
  settings: ModelSettings,
  env: NodeJS.ProcessEnv,
  options: ModelCheckOptions,
  redact: Redact,
): Promise<DoctorCheck[]> {
  const where = `${settings.baseUrl}${env.OPENAI_BASE_URL?.trim() ? ' (from OPENAI_BASE_URL)' : ''}`;
  const started = performance.now();
  let ids: string[];
  try {
    ids = await listModels(settings, options);
  } catch (error) {
    return listingFailed(await import('../model/model-errors.js'), error, settings, where, redact);
  }
  const ms = Math.round(performance.now() - started);
  return [
    row('endpoint', 'ok', `${where} answered in ${String(ms)}ms`, null),
    settings.apiKey === undefined
      ? row(
          'api key',
          'warn',
          `no key set ($${settings.apiKeyVariable} is empty); the endpoint answered without one`,
          `Fine for a local endpoint (Ollama, vLLM, LM Studio); for a hosted one: export ${settings.apiKeyVariable}=<key>`,
        )
      : row('api key', 'ok', `accepted ($${settings.apiKeyVariable})`, null),
    modelOffered(settings.model, ids),
  ];
}

async function listModels(settings: ModelSettings, options: ModelCheckOptions): Promise<string[]> {
  const { default: OpenAI } = await import('openai');
  const sdk = new OpenAI({
    baseURL: settings.baseUrl,
    // Sent as it is when no key is set: local endpoints ignore it, hosted ones answer 401.
    apiKey: settings.apiKey ?? 'no-key-set',
    maxRetries: 0,
    timeout: options.timeoutMs ?? 10_000,
    logLevel: 'off',
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const ids: string[] = [];
  for await (const model of sdk.models.list()) {
    ids.push(model.id);
    if (ids.length >= MAX_MODELS) break;
  }
  return ids;
}

/** `sdkErrors` is model-errors.js, loaded with the SDK it reads (only when the check runs). */
function listingFailed(
  sdkErrors: typeof import('../model/model-errors.js'),
  error: unknown,
  settings: ModelSettings,
  where: string,
  redact: Redact,
): DoctorCheck[] {
  const { errorStatus, toModelError } = sdkErrors;
  const status = errorStatus(error);
  const variable = settings.apiKeyVariable;
  const reachable = row('endpoint', 'ok', `${where} answered (${String(status)})`, null);
  if (status === 401) {
    return [
      reachable,
      settings.apiKey === undefined
        ? row(
            'api key',
            'fail',
            `no key set: $${variable} is empty, and the endpoint asks for one (401)`,
            `export ${variable}=<key> (config.yaml model.api_key_env names the variable)`,
          )
        : row(
            'api key',
            'fail',
            `the endpoint refused the key in $${variable} (401: ${endpointMessage(error)})`,
            `Set a valid key in $${variable} (config.yaml model.api_key_env names the variable).`,
          ),
    ];
  }
  if (status === 403) {
    return [
      reachable,
      row(
        'api key',
        'warn',
        `the key in $${variable} may not list models (403: ${endpointMessage(error)}); the model name is not checked`,
        'A restricted key needs read access to models for this check; runs may still work.',
      ),
    ];
  }
  if (status === 404) {
    return [
      row(
        'endpoint',
        'warn',
        `${where} answered 404 to GET /models: it does not list models, so the key and the model name are not checked`,
        'Check that model.base_url ends in /v1 (OPENAI_BASE_URL overrides it).',
      ),
    ];
  }
  const failure = toModelError(
    error,
    { baseUrl: settings.baseUrl, model: settings.model, apiKeyVariable: variable, attempts: 1 },
    redact,
  );
  const unreachable = status === null;
  return [
    row(
      'endpoint',
      'fail',
      unreachable ? `cannot reach ${where}: ${connectionCause(error)}` : failure.message,
      unreachable
        ? 'Check model.base_url in config.yaml (or OPENAI_BASE_URL) and that the server is running.'
        : (failure.hints[0] ?? null),
    ),
  ];
}

function modelOffered(model: string, ids: readonly string[]): DoctorCheck {
  if (ids.includes(model))
    return row('model', 'ok', `${model} is offered (${plural(ids.length, 'model')} listed)`, null);
  if (ids.length === 0) {
    return row('model', 'warn', `the endpoint lists no models, so ${model} is not checked`, null);
  }
  const close = closeNames(model, ids);
  const offered =
    close.length > 0
      ? `Close: ${close.join(', ')}`
      : `Offered: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`;
  return row(
    'model',
    'fail',
    `${model} (config.yaml model.name) is not offered by the endpoint (${plural(ids.length, 'model')} listed)`,
    `${offered}. Set model.name in config.yaml (an agent's model: and --model override it).`,
  );
}

/** The endpoint's own message, without the SDK's "401 " prefix. */
function endpointMessage(error: unknown): string {
  const body = (error as { error?: { message?: unknown } }).error;
  if (typeof body?.message === 'string' && body.message !== '') return body.message;
  return errorMessage(error).replace(/^\d{3}\s+/, '');
}

/** What broke the connection ("connect ECONNREFUSED 127.0.0.1:9", "getaddrinfo ENOTFOUND host"), not the SDK's "Connection error.". */
function connectionCause(error: unknown): string {
  let deepest: unknown = error;
  for (let e: unknown = error; e instanceof Error; e = e.cause) deepest = e;
  return errorMessage(deepest);
}

function row(name: string, status: DoctorCheck['status'], detail: string, hint: string | null): DoctorCheck {
  return { area: 'model', name, status, detail, hint };
}
