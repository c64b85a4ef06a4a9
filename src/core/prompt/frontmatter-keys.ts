/**
 * The frontmatter keys Station, dotprompt and the original Station know, for typo warnings. dotprompt allows
 * extension keys and real files carry keys Station does not use, so most mappings are open: only a near miss
 * of a known key warns (`max_step`, `modle`). `input` and `output` are closed: dotprompt defines every key.
 */
import type { KeySpec } from '../config/unknown-keys.js';

const open = (...keys: string[]): KeySpec => ({ open: true, keys: Object.fromEntries(keys.map((k) => [k, null])) });

export const FRONTMATTER_KEYS: KeySpec = {
  open: true,
  keys: {
    // Station and dotprompt.
    name: null,
    description: null,
    tags: null,
    model: null,
    max_steps: null,
    tools: null,
    retry_on_interrupt: null,
    config: open(
      'temperature',
      'max_tokens',
      'top_p',
      'top_k',
      'topP',
      'topK',
      'maxOutputTokens',
      'stop',
      'stopSequences',
      'seed',
      'frequency_penalty',
      'presence_penalty',
      'response_format',
      'reasoning_effort',
    ),
    input: { keys: { schema: null, default: null } },
    output: { keys: { format: null, schema: null } },
    variant: null,
    version: null,
    toolDefs: null,
    raw: null,
    ext: null,
    // The original Station's (see FORMATS.md).
    metadata: open('name', 'description', 'tags', 'version', 'agent_id', 'max_steps'),
    station: {
      open: true,
      keys: {
        execution_metadata: open(
          'max_steps',
          'timeout_seconds',
          'max_retries',
          'priority',
          'agent_id',
          'created_at',
          'updated_at',
          'environment',
        ),
      },
    },
    schedule: open('cron', 'enabled', 'variables', 'timezone', 'overlap', 'catch_up', 'max_catch_up'),
    app: null,
    app_type: null,
  },
};
