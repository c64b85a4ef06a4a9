// Agent files for benches, in the three shapes real files come in (hand-written, exported, later export).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Agent files in the three shapes real files come in. */
export function agentText(i) {
  switch (i % 3) {
    case 0:
      return `---\nmetadata:\n  name: "Agent ${i}"\n  description: "Hand-written agent number ${i}"\n  tags: ["bench", "hand"]\nmodel: gpt-4o-mini\nmax_steps: 5\ntools:\n  - "__read_text_file"\n  - "__list_directory"\n---\n\n{{role "system"}}\nYou are agent ${i}. Be brief and cite files.\n\n{{role "user"}}\n{{userInput}}\n`;
    case 1:
      return `---\nmodel: gpt-5\nconfig:\n    max_tokens: 2000\n    temperature: 0.3\nmetadata:\n    description: Exported agent ${i}\n    name: Agent ${i}\n    version: 1.0.0\ntools:\n    - __checkov_scan_directory\nstation:\n    execution_metadata:\n        max_steps: 6\ninput:\n    schema:\n        userInput: string\n        repo?: string, the repository\noutput:\n    schema:\n        response: string\n---\n{{role "system"}}\nYou scan {{#if repo}}{{repo}}{{else}}the project{{/if}} for problems.\n\n{{role "user"}}\n{{userInput}}\n`;
    default:
      return `---\nmodel: "gemini-2.5-flash"\nmetadata:\n  name: "Agent ${i}"\n  description: "Later export ${i}"\ninput:\n  schema:\n    type: object\n    properties:\n      userInput: {type: string}\n      depth: {type: integer}\n    required: [userInput]\noutput:\n  format: json\n  schema: {type: object, properties: {findings: {type: array}}}\nschedule:\n  cron: "0 * * * *"\n  enabled: false\n---\nYou are a helpful assistant number ${i}.\n\n**Task**: {{TASK}}\n**Depth**: {{depth}}\n`;
  }
}

/** Writes `count` agent files (agent-0.prompt ...) into an agents folder. */
export function writeAgentFiles(dir, count) {
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `agent-${i}.prompt`), agentText(i));
}
