import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPromptFiles } from '../agents/agent-files.js';
import { readAgentFile } from '../prompt/parse.js';
import type { AgentSchedule } from './schedule-spec.js';

/** One agent with a schedule, as its file says now. */
export interface ScheduledAgent {
  environment: string;
  agent: string;
  fileName: string;
  schedule: AgentSchedule;
}

/**
 * The schedules of every agent file of every environment. Each call looks at the files' change stamps
 * and parses only the files that changed since the last call, so a scheduler that asks on every pass
 * sees an edited file at once (no restart) for the cost of a directory listing. Files that do not parse
 * are left out (`stn agent validate` reports them).
 */
export class ScheduleCatalog {
  private readonly cache = new Map<string, { stamp: number; schedule: AgentSchedule | undefined; agent: string }>();

  constructor(
    private readonly environments: () => readonly string[],
    private readonly agentsDir: (environment: string) => string,
  ) {}

  /** Every scheduled agent, or those of `only` (an environment: the others' files are not looked at). */
  list(only?: string): ScheduledAgent[] {
    const out: ScheduledAgent[] = [];
    const seen = new Set<string>();
    const environments = this.environments().filter((e) => only === undefined || e === only);
    for (const environment of environments) {
      const dir = this.agentsDir(environment);
      for (const file of listPromptFiles(dir)) {
        const key = `${environment}\u0000${file.fileName}`;
        seen.add(key);
        let entry = this.cache.get(key);
        if (entry === undefined || entry.stamp !== file.stamp) {
          entry = this.load(join(dir, file.fileName), file.stamp);
          this.cache.set(key, entry);
        }
        if (entry.schedule !== undefined) {
          out.push({ environment, agent: entry.agent, fileName: file.fileName, schedule: entry.schedule });
        }
      }
    }
    // Files gone since leave the cache (of the environment looked at, when only one was).
    for (const key of [...this.cache.keys()]) {
      if (!seen.has(key) && (only === undefined || key.startsWith(`${only}\u0000`))) this.cache.delete(key);
    }
    return out;
  }

  private load(path: string, stamp: number): { stamp: number; schedule: AgentSchedule | undefined; agent: string } {
    try {
      const text = readFileSync(path, 'utf8');
      // A schedule is the frontmatter's `schedule` key: a file that never says "schedule" has none, and is not
      // parsed (most agents have no schedule; the first parse loads the YAML parser, ~20 ms).
      if (!text.includes('schedule')) return { stamp, schedule: undefined, agent: '' };
      const { agent } = readAgentFile(path, text);
      return { stamp, schedule: agent.schedule, agent: agent.name };
    } catch (error) {
      if (error instanceof Error) return { stamp, schedule: undefined, agent: '' };
      throw error;
    }
  }
}
