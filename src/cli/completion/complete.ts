/**
 * Shell completion as a pure function: given the words typed after `stn` (the last one being the word under
 * the cursor, maybe empty), what may come next. Commands, topics and flags come from oclif.manifest.json;
 * environment and agent names from a NameSource (the home folder, read by answer.ts).
 */

export interface CompletionFlag {
  name: string;
  char?: string;
  takesValue: boolean;
  multiple: boolean;
  options?: readonly string[];
  description?: string;
}

export interface CompletionArg {
  name: string;
  options?: readonly string[];
}

export interface CompletionCommand {
  /** oclif's id: `agent:run`. */
  id: string;
  summary?: string;
  hidden?: boolean;
  flags: readonly CompletionFlag[];
  /** In order. */
  args: readonly CompletionArg[];
}

export interface CompletionSpec {
  commands: readonly CompletionCommand[];
  topics: readonly { name: string; description?: string }[];
}

/** Names that live in a Station home. `home` is the --home typed on the line, if any. */
export interface NameSource {
  environments(home: string | undefined): string[] | Promise<string[]>;
  /** The agents of `env`, or of the default environment when `env` is undefined. */
  agents(home: string | undefined, env: string | undefined): string[] | Promise<string[]>;
}

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  /** Let the shell complete file or folder names instead (a flag or argument that is a path). */
  paths?: 'files' | 'dirs';
}

/** What a value (of a flag or an argument) is, for completion. */
type ValueKind =
  { kind: 'options'; options: readonly string[] } | { kind: 'environment' | 'agent' | 'files' | 'dirs' | 'none' };

/** Flags every command takes, and what `stn` alone takes; they may come before the command. */
const ROOT_FLAGS: readonly CompletionFlag[] = [
  { name: 'home', takesValue: true, multiple: false, description: 'Station home folder' },
  { name: 'debug', takesValue: false, multiple: false, description: 'Print stack traces with errors' },
  { name: 'json', takesValue: false, multiple: false, description: 'Format output as json' },
  { name: 'help', char: 'h', takesValue: false, multiple: false, description: 'Show help' },
  { name: 'version', char: 'v', takesValue: false, multiple: false, description: 'Show the version' },
];
const HELP_FLAG: CompletionFlag = {
  name: 'help',
  char: 'h',
  takesValue: false,
  multiple: false,
  description: 'Show help',
};

const DIR_FLAGS = new Set(['home', 'project-root', 'cwd']);
const FILE_FLAGS = new Set(['prompt-file', 'input-file', 'file', 'output', 'tls-cert', 'tls-key']);

function flagKind(flag: CompletionFlag): ValueKind {
  if (flag.options !== undefined && flag.options.length > 0) return { kind: 'options', options: flag.options };
  if (flag.name === 'env' || flag.name === 'to-env') return { kind: 'environment' };
  if (flag.name === 'agent') return { kind: 'agent' };
  if (DIR_FLAGS.has(flag.name)) return { kind: 'dirs' };
  if (FILE_FLAGS.has(flag.name)) return { kind: 'files' };
  return { kind: 'none' };
}

function argKind(commandId: string, arg: CompletionArg): ValueKind {
  if (arg.options !== undefined && arg.options.length > 0) return { kind: 'options', options: arg.options };
  const [topic] = commandId.split(':');
  const creates = commandId.endsWith(':create');
  if (arg.name === 'env' || (topic === 'env' && arg.name === 'name' && !creates)) return { kind: 'environment' };
  if (topic === 'agent' && arg.name === 'name' && !creates) return { kind: 'agent' };
  if (arg.name === 'file') return { kind: 'files' };
  return { kind: 'none' };
}

interface LineState {
  /** Topic words typed so far, before a command is known. */
  path: string[];
  command: CompletionCommand | undefined;
  /** `stn help ...`: the words name the command to show help for. */
  help: boolean;
  positionals: string[];
  /** Flags already given (by name). */
  given: Set<string>;
  /** Values of flags given on the line (the last one for a repeated flag). */
  values: Map<string, string>;
  /** The flag whose value the next word is. */
  pending: CompletionFlag | undefined;
  afterDashDash: boolean;
  /** A word that names nothing: nothing sensible can follow it. */
  lost: boolean;
}

export async function complete(words: readonly string[], spec: CompletionSpec, names: NameSource): Promise<Completion> {
  const typed = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  const state = readLine(typed, spec);
  if (state.lost) return { candidates: [] };

  if (state.pending !== undefined) {
    // `--env=` split by bash at '=' leaves '=' as the word: nothing sensible replaces it.
    if (current === '=') return { candidates: [] };
    return values(flagKind(state.pending), current, state, names);
  }
  if (!state.afterDashDash && current.startsWith('--') && current.includes('=')) {
    const eq = current.indexOf('=');
    const flag = flagsOf(state).find((f) => f.name === current.slice(2, eq));
    if (flag === undefined || !flag.takesValue) return { candidates: [] };
    const found = await values(flagKind(flag), current.slice(eq + 1), state, names);
    if (found.paths !== undefined) return { candidates: [] };
    return { candidates: found.candidates.map((c) => ({ value: `${current.slice(0, eq + 1)}${c.value}` })) };
  }
  if (!state.afterDashDash && current.startsWith('-')) {
    const candidates = flagsOf(state)
      .filter((f) => f.multiple || !state.given.has(f.name))
      .map((f) => ({ value: `--${f.name}`, ...(f.description === undefined ? {} : { description: f.description }) }));
    return { candidates: matching(candidates, current) };
  }
  if (state.command === undefined || state.help) {
    return { candidates: matching(nextWords(state.path, spec), current) };
  }
  const arg = state.command.args[state.positionals.length];
  if (arg === undefined) return { candidates: [] };
  return values(argKind(state.command.id, arg), current, state, names);
}

function readLine(typed: readonly string[], spec: CompletionSpec): LineState {
  const state: LineState = {
    path: [],
    command: undefined,
    help: false,
    positionals: [],
    given: new Set(),
    values: new Map(),
    pending: undefined,
    afterDashDash: false,
    lost: false,
  };
  for (const word of typed) {
    if (state.pending !== undefined) {
      if (word === '=') continue; // bash splits `--env=prod` into `--env`, `=`, `prod`
      state.values.set(state.pending.name, word);
      state.pending = undefined;
      continue;
    }
    if (!state.afterDashDash && word === '--') {
      state.afterDashDash = true;
      continue;
    }
    if (!state.afterDashDash && word.startsWith('-') && word !== '-') {
      readFlag(word, state);
      continue;
    }
    if (state.command !== undefined && !state.help) {
      state.positionals.push(word);
      continue;
    }
    if (state.path.length === 0 && !state.help && word === 'help') {
      state.help = true;
      continue;
    }
    const id = [...state.path, word].join(':');
    const command = spec.commands.find((c) => c.id === id);
    const isTopic = spec.commands.some((c) => c.id.startsWith(`${id}:`));
    if (state.help) {
      if (command === undefined && !isTopic) state.lost = true;
      else state.path.push(word);
      if (command !== undefined && !isTopic) state.command = command;
    } else if (command !== undefined) {
      state.command = command;
    } else if (isTopic) {
      state.path.push(word);
    } else {
      state.lost = true;
    }
    if (state.lost) break;
  }
  return state;
}

function readFlag(word: string, state: LineState): void {
  const flags = flagsOf(state);
  const eq = word.indexOf('=');
  const flag = word.startsWith('--')
    ? flags.find((f) => f.name === word.slice(2, eq === -1 ? undefined : eq))
    : flags.find((f) => f.char !== undefined && f.char === word.slice(1, 2));
  if (flag === undefined) return;
  state.given.add(flag.name);
  if (!flag.takesValue) return;
  if (word.startsWith('--') && eq !== -1) state.values.set(flag.name, word.slice(eq + 1));
  else if (!word.startsWith('--') && word.length > 2) state.values.set(flag.name, word.slice(2));
  else state.pending = flag;
}

/** The flags that may be typed at this point of the line. */
function flagsOf(state: LineState): readonly CompletionFlag[] {
  if (state.help) return [];
  if (state.command !== undefined) return [...state.command.flags, HELP_FLAG];
  return state.path.length === 0 ? ROOT_FLAGS : [HELP_FLAG];
}

/** The words that may follow a topic path: its commands and subtopics, with what they do. */
function nextWords(path: readonly string[], spec: CompletionSpec): Candidate[] {
  const prefix = path.length === 0 ? '' : `${path.join(':')}:`;
  const found = new Map<string, Candidate>();
  for (const command of spec.commands) {
    if (command.hidden === true || !command.id.startsWith(prefix)) continue;
    const rest = command.id.slice(prefix.length).split(':');
    const word = rest[0];
    if (word === undefined || word === '') continue;
    const exact = rest.length === 1;
    const topic = spec.topics.find((t) => t.name === `${prefix}${word}`);
    const description = exact ? command.summary : topic?.description;
    if (!found.has(word) || exact)
      found.set(word, { value: word, ...(description === undefined ? {} : { description }) });
  }
  return [...found.values()].sort((a, b) => a.value.localeCompare(b.value));
}

async function values(kind: ValueKind, current: string, state: LineState, names: NameSource): Promise<Completion> {
  const home = state.values.get('home');
  switch (kind.kind) {
    case 'options':
      return { candidates: matching(kind.options.map(value), current) };
    case 'environment':
      return { candidates: matching((await names.environments(home)).map(value), current) };
    case 'agent':
      return { candidates: matching((await names.agents(home, state.values.get('env'))).map(value), current) };
    case 'files':
    case 'dirs':
      return { candidates: [], paths: kind.kind };
    case 'none':
      return { candidates: [] };
  }
}

function value(text: string): Candidate {
  return { value: text };
}

function matching(candidates: readonly Candidate[], current: string): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (!c.value.startsWith(current) || seen.has(c.value)) return false;
    seen.add(c.value);
    return true;
  });
}

interface ManifestFlag {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  multiple?: boolean;
  options?: string[];
  summary?: string;
  description?: string;
  hidden?: boolean;
}

interface ManifestCommand {
  id: string;
  summary?: string;
  description?: string;
  hidden?: boolean;
  flags: Record<string, ManifestFlag>;
  args: Record<string, { name: string; options?: string[] }>;
}

/** The completion spec of oclif.manifest.json and package.json's `oclif.topics`. */
export function specFromManifest(
  manifest: { commands: Record<string, ManifestCommand> },
  topics: Record<string, { description?: string }> = {},
  extra: readonly CompletionCommand[] = [],
): CompletionSpec {
  const commands = Object.values(manifest.commands).map((c): CompletionCommand => ({
    id: c.id,
    ...optional('summary', firstLine(c.summary ?? c.description)),
    ...(c.hidden === true ? { hidden: true } : {}),
    flags: Object.values(c.flags)
      .filter((f) => f.hidden !== true)
      .map((f) => ({
        name: f.name,
        ...optional('char', f.char),
        takesValue: f.type === 'option',
        multiple: f.multiple === true,
        ...optional('options', f.options),
        ...optional('description', firstLine(f.summary ?? f.description)),
      })),
    args: Object.values(c.args).map((a) => ({ name: a.name, ...optional('options', a.options) })),
  }));
  return {
    commands: [...commands, ...extra],
    topics: Object.entries(topics).map(([name, t]) => ({ name, ...optional('description', t.description) })),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim();
  return line === undefined || line === '' ? undefined : line;
}
