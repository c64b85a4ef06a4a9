import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/core/config/station-config.js';
import { resolveModelSettings } from '../../../src/core/model/settings.js';

const config = { baseUrl: 'http://config.example/v1', name: 'config-model', apiKeyEnv: 'MY_LLM_KEY' };

describe('resolveModelSettings', () => {
  it('takes base URL, model and key variable from config.yaml', () => {
    expect(resolveModelSettings(config, { MY_LLM_KEY: 'k1' })).toEqual({
      baseUrl: 'http://config.example/v1',
      apiKey: 'k1',
      apiKeyVariable: 'MY_LLM_KEY',
      model: 'config-model',
    });
  });
  it('OPENAI_BASE_URL overrides the base URL; OPENAI_API_KEY is used when the configured variable is empty', () => {
    const s = resolveModelSettings(config, {
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_API_KEY: 'k2',
      MY_LLM_KEY: '',
    });
    expect(s).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'k2', apiKeyVariable: 'OPENAI_API_KEY' });
  });
  it('with the default config, OPENAI_API_KEY is the key', () => {
    expect(resolveModelSettings(DEFAULT_CONFIG.model, { OPENAI_API_KEY: 'k3' }).apiKey).toBe('k3');
  });
  it('no key at all is allowed (local endpoints)', () => {
    expect(resolveModelSettings(config, {})).toMatchObject({ apiKey: undefined, apiKeyVariable: 'MY_LLM_KEY' });
  });
  it("model: the run's --model, else the agent's, else the configured one", () => {
    expect(resolveModelSettings(config, {}, { agentModel: 'agent-m', runModel: 'run-m' }).model).toBe('run-m');
    expect(resolveModelSettings(config, {}, { agentModel: 'agent-m' }).model).toBe('agent-m');
    expect(resolveModelSettings(config, {}, { agentModel: ' ' }).model).toBe('config-model');
  });
});
