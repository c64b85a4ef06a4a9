/**
 * The one keymap of the TUI. Every key binding lives here: the panes resolve key presses through
 * `resolveKey(scope, ...)`, and the footer and the help overlay are made from the same table, so what is
 * shown is exactly what works.
 */

/** The subset of Ink's `Key` the keymap reads (Ink's own type is structurally compatible). */
export interface KeyInfo {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

/** No key held: the base of a key press made by hand (tests, split chunks). */
export const NO_KEY: KeyInfo = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};

/** Where a key press is being handled: the global layer, a screen, or a widget. */
export type Scope =
  | 'global'
  | 'list'
  | 'environments'
  | 'agents'
  | 'agent-detail'
  | 'form'
  | 'variables'
  | 'bundle-source'
  | 'trust-gate'
  | 'runs'
  | 'trace'
  | 'mcp'
  | 'filter'
  | 'help'
  | 'quit-local'
  | 'quit-remote';

export type KeyAction =
  | 'quit'
  | 'help'
  | 'next-screen'
  | 'prev-screen'
  | 'screen-1'
  | 'screen-2'
  | 'screen-3'
  | 'screen-4'
  | 'screen-5'
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'top'
  | 'bottom'
  | 'open'
  | 'back'
  | 'filter'
  | 'use-env'
  | 'sync'
  | 'create-bundle'
  | 'install-bundle'
  | 'approve'
  | 'approve-no-sync'
  | 'decline'
  | 'run'
  | 'cancel'
  | 'expand'
  | 'follow'
  | 'status-filter'
  | 'agent-filter'
  | 'toggle-pane'
  | 'check'
  | 'refresh'
  | 'next-field'
  | 'prev-field'
  | 'submit'
  | 'close-help'
  | 'quit-cancel'
  | 'quit-keep'
  | 'stay'
  | 'show-error';

/**
 * A key: a printable character ("q", "?", "G"), or a named key with optional modifiers:
 * "up", "down", "left", "right", "pageup", "pagedown", "home", "end", "enter", "esc", "tab",
 * "shift+tab", "ctrl+c", "ctrl+s", "backspace".
 */
export type KeySpec = string;

export interface Binding {
  action: KeyAction;
  keys: readonly KeySpec[];
  /** Short label for the footer ("quit"). */
  label: string;
  /** One line for the help overlay. */
  help: string;
  scopes: readonly Scope[];
  /** Shown in the footer of these scopes (default: every scope it works in). */
  footer?: boolean;
}

export const BINDINGS: readonly Binding[] = [
  { action: 'quit', keys: ['q', 'ctrl+c'], label: 'quit', help: 'Quit (Ctrl-C works everywhere)', scopes: ['global'] },
  { action: 'help', keys: ['?'], label: 'help', help: 'Show or hide all keys', scopes: ['global'] },
  {
    action: 'next-screen',
    keys: ['tab'],
    label: 'next screen',
    help: 'Next screen',
    scopes: ['global'],
    footer: false,
  },
  {
    action: 'prev-screen',
    keys: ['shift+tab'],
    label: 'prev screen',
    help: 'Previous screen',
    scopes: ['global'],
    footer: false,
  },
  {
    action: 'show-error',
    keys: ['e'],
    label: 'last error',
    help: 'Show the last error message in full (when the footer cuts it)',
    scopes: ['global'],
    footer: false,
  },
  { action: 'screen-1', keys: ['1'], label: 'envs', help: 'Environments screen', scopes: ['global'], footer: false },
  { action: 'screen-2', keys: ['2'], label: 'agents', help: 'Agents screen', scopes: ['global'], footer: false },
  { action: 'screen-3', keys: ['3'], label: 'runs', help: 'Runs screen', scopes: ['global'], footer: false },
  {
    action: 'screen-4',
    keys: ['4'],
    label: 'trace',
    help: 'Trace screen (the run last opened)',
    scopes: ['global'],
    footer: false,
  },
  { action: 'screen-5', keys: ['5'], label: 'mcp', help: 'MCP screen', scopes: ['global'], footer: false },

  {
    action: 'up',
    keys: ['up', 'k'],
    label: 'up',
    help: 'Move up',
    scopes: ['list', 'trace', 'agent-detail', 'trust-gate'],
    footer: false,
  },
  {
    action: 'down',
    keys: ['down', 'j'],
    label: 'down',
    help: 'Move down',
    scopes: ['list', 'trace', 'agent-detail', 'trust-gate'],
    footer: false,
  },
  {
    action: 'page-up',
    keys: ['pageup', 'ctrl+u'],
    label: 'page up',
    help: 'Page up',
    scopes: ['list', 'trace', 'agent-detail', 'trust-gate'],
    footer: false,
  },
  {
    action: 'page-down',
    keys: ['pagedown', 'ctrl+d'],
    label: 'page down',
    help: 'Page down',
    scopes: ['list', 'trace', 'agent-detail', 'trust-gate'],
    footer: false,
  },
  {
    action: 'top',
    keys: ['home', 'g'],
    label: 'top',
    help: 'Go to the first line',
    scopes: ['list', 'trace', 'agent-detail', 'trust-gate'],
    footer: false,
  },
  {
    action: 'bottom',
    keys: ['end', 'G'],
    label: 'bottom',
    help: 'Go to the last line (in a trace: follow again)',
    scopes: ['list', 'trace', 'agent-detail', 'trust-gate'],
    footer: false,
  },
  { action: 'filter', keys: ['/'], label: 'filter', help: 'Filter the current list', scopes: ['list'] },
  { action: 'open', keys: ['enter'], label: 'open', help: 'Open the selected item', scopes: ['agents', 'runs'] },
  {
    action: 'back',
    keys: ['esc'],
    label: 'back',
    help: 'Go back (or clear the filter)',
    scopes: ['list', 'agent-detail', 'trace', 'form'],
  },

  {
    action: 'use-env',
    keys: ['enter'],
    label: 'use env',
    help: 'Make the selected environment the current one',
    scopes: ['environments'],
  },
  {
    action: 'sync',
    keys: ['s'],
    label: 'sync',
    help: 'Sync the selected environment (start MCP servers, record tools)',
    scopes: ['environments'],
  },
  {
    action: 'create-bundle',
    keys: ['b'],
    label: 'bundle',
    help: 'Pack the selected environment as a bundle: writes ENV.tar.gz in the current folder and shows its path',
    scopes: ['environments'],
  },
  {
    action: 'install-bundle',
    keys: ['i'],
    label: 'install',
    help: 'Install a bundle (file, folder, URL or NAME[@VERSION]): shows the MCP servers it would start to approve, then asks for its variables',
    scopes: ['environments'],
  },
  {
    action: 'run',
    keys: ['r'],
    label: 'run',
    help: 'Run the selected agent (asks for its input)',
    scopes: ['agents', 'agent-detail'],
  },
  {
    action: 'status-filter',
    keys: ['s'],
    label: 'status',
    help: 'Cycle the status filter (all, active, completed, failed, cancelled)',
    scopes: ['runs'],
  },
  {
    action: 'agent-filter',
    keys: ['a'],
    label: 'agent',
    help: 'Cycle the agent filter through the agents in the list',
    scopes: ['runs'],
  },
  {
    action: 'cancel',
    keys: ['c'],
    label: 'cancel run',
    help: 'Cancel the run (when it is queued or running)',
    scopes: ['runs', 'trace'],
  },
  {
    action: 'expand',
    keys: ['enter', 'space'],
    label: 'expand',
    help: 'Expand or collapse the selected step (full JSON)',
    scopes: ['trace'],
  },
  {
    action: 'follow',
    keys: ['f'],
    label: 'follow',
    help: 'Follow new events (on by default; scrolling up turns it off)',
    scopes: ['trace'],
  },
  {
    action: 'toggle-pane',
    keys: ['t'],
    label: 'servers/tools',
    help: 'Switch between servers and tools',
    scopes: ['mcp'],
  },
  {
    action: 'open',
    keys: ['enter'],
    label: 'details',
    help: 'Show the selected server or tool in full',
    scopes: ['mcp'],
  },
  {
    action: 'check',
    keys: ['c'],
    label: 'check now',
    help: 'Start the servers now (initialize, list tools, ping): live status and stderr',
    scopes: ['mcp'],
  },
  {
    action: 'refresh',
    keys: ['R'],
    label: 'refresh',
    help: 'Reload from the store',
    scopes: ['environments', 'agents', 'runs', 'mcp'],
  },

  {
    action: 'next-field',
    keys: ['tab', 'down'],
    label: 'next field',
    help: 'Next field',
    scopes: ['form', 'variables', 'bundle-source'],
  },
  {
    action: 'prev-field',
    keys: ['shift+tab', 'up'],
    label: 'prev field',
    help: 'Previous field',
    scopes: ['form', 'variables', 'bundle-source'],
  },
  {
    action: 'submit',
    keys: ['ctrl+s', 'enter'],
    label: 'start run',
    help: 'Start the run (Enter on the last field, or Ctrl-S)',
    scopes: ['form'],
  },
  {
    action: 'submit',
    keys: ['ctrl+s', 'enter'],
    label: 'save and go on',
    help: 'Save the variables (secrets to the secret store, the rest to variables.yml) and go on with the sync or install (Enter on the last field, or Ctrl-S)',
    scopes: ['variables'],
  },
  {
    action: 'back',
    keys: ['esc'],
    label: 'cancel',
    help: 'Cancel the sync or install: nothing is saved or installed',
    scopes: ['variables'],
  },
  {
    action: 'submit',
    keys: ['ctrl+s', 'enter'],
    label: 'review',
    help: 'Read the bundle and show what it would start (Enter on the last field, or Ctrl-S); nothing installed yet',
    scopes: ['bundle-source'],
  },
  { action: 'back', keys: ['esc'], label: 'cancel', help: 'Cancel: nothing is installed', scopes: ['bundle-source'] },
  {
    action: 'approve',
    keys: ['y'],
    label: 'approve, install, sync',
    help: 'Approve these MCP servers: install the bundle (asking for its variables), then sync it',
    scopes: ['trust-gate'],
  },
  {
    action: 'approve-no-sync',
    keys: ['i'],
    label: 'install, no sync',
    help: 'Approve and install without syncing (no server is started; s syncs it later)',
    scopes: ['trust-gate'],
  },
  {
    action: 'decline',
    keys: ['n', 'esc'],
    label: 'cancel',
    help: 'Do not approve: nothing is installed',
    scopes: ['trust-gate'],
  },

  {
    action: 'submit',
    keys: ['enter'],
    label: 'keep filter',
    help: 'Keep the filter and go back to the list',
    scopes: ['filter'],
  },
  { action: 'back', keys: ['esc'], label: 'clear filter', help: 'Clear the filter', scopes: ['filter'] },

  { action: 'close-help', keys: ['esc', '?', 'q'], label: 'close', help: 'Close this help', scopes: ['help'] },
  {
    action: 'quit-cancel',
    keys: ['y', 'q'],
    label: 'quit and cancel them',
    help: 'Quit and cancel the runs this UI started (they run inside it); Ctrl-C again does the same',
    scopes: ['quit-local'],
  },
  {
    action: 'quit-keep',
    keys: ['y', 'q'],
    label: 'quit, runs keep going',
    help: 'Quit; the runs this UI started keep running on the server; Ctrl-C again does the same',
    scopes: ['quit-remote'],
  },
  {
    action: 'quit-cancel',
    keys: ['c'],
    label: 'cancel them and quit',
    help: 'Cancel the runs this UI started on the server, then quit',
    scopes: ['quit-remote'],
  },
  { action: 'stay', keys: ['n', 'esc'], label: 'stay', help: 'Stay in the UI', scopes: ['quit-local', 'quit-remote'] },
];

/** Does a key press match one KeySpec? */
export function matchesKey(spec: KeySpec, input: string, key: KeyInfo): boolean {
  switch (spec) {
    case 'up':
      return key.upArrow;
    case 'down':
      return key.downArrow;
    case 'left':
      return key.leftArrow;
    case 'right':
      return key.rightArrow;
    case 'pageup':
      return key.pageUp;
    case 'pagedown':
      return key.pageDown;
    case 'home':
      return key.home;
    case 'end':
      return key.end;
    case 'enter':
      return key.return;
    case 'esc':
      return key.escape;
    case 'tab':
      return key.tab && !key.shift;
    case 'shift+tab':
      return key.tab && key.shift;
    case 'backspace':
      return key.backspace || key.delete;
    case 'space':
      return input === ' ';
    default:
      break;
  }
  if (spec.startsWith('ctrl+')) return key.ctrl && input === spec.slice(5);
  if (key.ctrl || key.meta || key.tab || key.return || key.escape) return false;
  return input === spec;
}

/**
 * The action a key press means in the given scopes (first scope wins), or undefined. Scopes are
 * tried in order so a screen's binding shadows a generic list binding of the same key.
 */
export function resolveKey(scopes: Scope | readonly Scope[], input: string, key: KeyInfo): KeyAction | undefined {
  const list = typeof scopes === 'string' ? [scopes] : scopes;
  for (const scope of list) {
    for (const binding of BINDINGS) {
      if (!binding.scopes.includes(scope)) continue;
      if (binding.keys.some((spec) => matchesKey(spec, input, key))) return binding.action;
    }
  }
  return undefined;
}

/** How a key is written for people: "enter", "esc", "↑/k", "^C". */
export function keyLabel(spec: KeySpec): string {
  const names: Record<string, string> = { up: '↑', down: '↓', pageup: 'PgUp', pagedown: 'PgDn', 'shift+tab': 'S-tab' };
  if (spec in names) return names[spec] ?? spec;
  if (spec.startsWith('ctrl+')) return `^${spec.slice(5).toUpperCase()}`;
  return spec;
}

export interface KeyHint {
  keys: string;
  label: string;
}

/**
 * The footer for a set of scopes: one short hint per binding, in keymap order, without duplicates, leaving
 * out the actions in `hide` (keys that do nothing here now, e.g. cancel on a finished run).
 */
export function footerHints(scopes: readonly Scope[], hide: readonly KeyAction[] = []): KeyHint[] {
  const hints: KeyHint[] = [];
  const seen = new Set<string>();
  for (const scope of scopes) {
    for (const binding of BINDINGS) {
      if (!binding.scopes.includes(scope) || binding.footer === false || hide.includes(binding.action)) continue;
      const keys = binding.keys[0] === undefined ? '' : keyLabel(binding.keys[0]);
      const id = `${keys}:${binding.label}`;
      if (seen.has(id)) continue;
      seen.add(id);
      hints.push({ keys, label: binding.label });
    }
  }
  return hints;
}

export interface HelpSection {
  title: string;
  rows: { keys: string; help: string }[];
}

const SECTION_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  list: 'Lists',
  environments: 'Environments',
  agents: 'Agents',
  'agent-detail': 'Agent detail',
  form: 'Run form',
  variables: 'Variables a sync or install needs',
  'bundle-source': 'Install a bundle: its source',
  'trust-gate': 'Install a bundle: the MCP servers it would start',
  runs: 'Runs',
  trace: 'Trace',
  mcp: 'MCP',
  filter: 'Filter',
  help: 'Help',
  'quit-local': 'Quitting with runs in progress (local)',
  'quit-remote': 'Quitting with runs in progress (--remote)',
};

/** Every binding grouped by the scope it is declared for first, for the `?` overlay. */
export function helpSections(): HelpSection[] {
  const order: Scope[] = [
    'global',
    'list',
    'filter',
    'environments',
    'agents',
    'agent-detail',
    'form',
    'bundle-source',
    'trust-gate',
    'variables',
    'runs',
    'trace',
    'mcp',
    'help',
    'quit-local',
    'quit-remote',
  ];
  return order
    .map((scope) => ({
      title: SECTION_TITLES[scope],
      rows: BINDINGS.filter((b) => b.scopes[0] === scope).map((b) => ({
        keys: b.keys.map(keyLabel).join(' '),
        help: b.help,
      })),
    }))
    .filter((s) => s.rows.length > 0);
}
