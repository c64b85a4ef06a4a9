import { Box, Text } from 'ink';
import { useReducer, useState, type ReactNode } from 'react';
import { serverReviewLines } from '../../core/index.js';
import type { BundleInspectionView } from '../client/station-client.js';
import { ErrorLine } from '../components/error-line.js';
import { TextField } from '../components/text-field.js';
import { fit, truncate, wrapText } from '../format.js';
import { useFormKeys } from '../hooks/use-form-keys.js';
import { useKeys } from '../hooks/use-keys.js';
import { resolveKey } from '../keymap.js';
import { formReducer, type FormState } from '../state/form-state.js';
import type { Theme } from '../theme.js';

function sourceForm(): FormState {
  return {
    fields: [
      {
        name: 'source',
        type: 'string',
        required: true,
        description: 'a .tar.gz, a folder, an https:// URL, or NAME[@VERSION] (first-party, registry)',
        choices: null,
        value: '',
        error: null,
      },
      {
        name: 'environment',
        type: 'string',
        required: false,
        description: "the new environment's name; empty: the bundle's own name",
        choices: null,
        value: '',
        error: null,
      },
    ],
    focus: 0,
    submitting: false,
    error: null,
  };
}

/**
 * The first step of `i` on the Environments screen: where the bundle is, and the environment to install it
 * as. Enter on the last field (or ^S) reads the bundle (nothing is installed yet); esc cancels.
 */
export function BundleSourceForm({
  theme,
  width,
  height,
  active,
  onSubmit,
  onCancel,
}: {
  theme: Theme;
  width: number;
  height: number;
  active: boolean;
  onSubmit: (source: string, environment: string | undefined) => void;
  onCancel: () => void;
}): ReactNode {
  const [form, formDispatch] = useReducer(formReducer, undefined, sourceForm);
  useFormKeys({
    scope: 'bundle-source',
    form,
    dispatch: formDispatch,
    active,
    onBack: onCancel,
    onSubmit: () => {
      const source = form.fields[0]?.value.trim() ?? '';
      const environment = form.fields[1]?.value.trim() ?? '';
      if (source === '')
        formDispatch({ type: 'invalid', fieldErrors: { source: 'where is the bundle? (esc cancels)' } });
      else onSubmit(source, environment === '' ? undefined : environment);
    },
    enterAdvances: true,
  });
  const labelWidth = 15;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate('Install a bundle', width)}
      </Text>
      <Text dimColor>{truncate('Nothing is installed before you approve the MCP servers it would start.', width)}</Text>
      {form.fields.map((field, i) => {
        const focused = i === form.focus;
        return (
          <Box key={field.name} flexDirection="column">
            <Box height={1}>
              <Text bold={focused}>{fit(`${focused ? '›' : ' '} ${field.name}`, labelWidth)}</Text>
              <TextField
                value={field.value}
                active={active && focused}
                placeholder={field.name === 'source' ? 'path, URL or NAME[@VERSION]' : "the bundle's name"}
              />
            </Box>
            {field.error !== null ? (
              <ErrorLine message={field.error} theme={theme} width={width} indent={labelWidth} />
            ) : focused ? (
              <Text dimColor>{truncate(`${' '.repeat(labelWidth)}${field.description}`, width)}</Text>
            ) : null}
          </Box>
        );
      })}
      <Box flexGrow={1} />
      <Text dimColor>
        {truncate('enter on the last field reads the bundle (nothing installed yet) · esc cancels', width)}
      </Text>
    </Box>
  );
}

/** What the trust gate shows: the bundle, every server it would start, its agents and variables. */
export function trustGateLines(
  inspection: BundleInspectionView,
  environment: string,
  exists: boolean,
  width: number,
): { text: string; tone?: 'warn' | 'head' }[] {
  const out: { text: string; tone?: 'warn' | 'head' }[] = [];
  const add = (text: string, tone?: 'warn' | 'head'): void => {
    for (const line of wrapText(text, width)) out.push(tone === undefined ? { text: line } : { text: line, tone });
  };
  const name = inspection.name ?? environment;
  add(
    `${name}${inspection.version === null ? '' : ` ${inspection.version}`} from ${inspection.source} (${inspection.kind}) → environment "${environment}"`,
    'head',
  );
  if (inspection.description !== null && inspection.description !== '') add(inspection.description);
  if (exists) add(`✗ environment "${environment}" already exists: installing fails (nothing is replaced)`, 'warn');
  const servers = inspection.servers;
  add(
    servers.length === 0
      ? 'It starts no MCP server.'
      : `It would start ${String(servers.length)} MCP server${servers.length === 1 ? '' : 's'} (commands run on this machine):`,
    'head',
  );
  for (const s of servers) for (const line of serverReviewLines(s)) add(line);
  add(`Agents (${String(inspection.agents.length)}):`, 'head');
  for (const a of inspection.agents) {
    add(`  ${a.name}${a.description === '' ? '' : ` — ${a.description}`}`);
    if (a.tools.length > 0) add(`    tools: ${a.tools.join(', ')}`);
  }
  if (inspection.variables.length > 0) {
    add(`Variables (asked next when nothing gives them):`, 'head');
    for (const v of inspection.variables) {
      add(
        `  ${v.name}${v.secret ? ' (secret)' : ''}${v.default === null ? '' : ` [default: ${v.default}]`}${v.description === null ? '' : ` — ${v.description}`}`,
      );
    }
  }
  for (const s of inspection.skipped) add(`⚠ ${s.path} is not installed: ${s.reason}`, 'warn');
  return out;
}

/**
 * The trust gate: what the bundle would start and bring, and the question. `y` approves (install, then
 * sync), `i` approves without syncing, `n`/esc declines (nothing installed). Long lists scroll.
 */
export function TrustGate({
  inspection,
  environment,
  exists,
  theme,
  width,
  height,
  active,
  onAnswer,
}: {
  inspection: BundleInspectionView;
  environment: string;
  exists: boolean;
  theme: Theme;
  width: number;
  height: number;
  active: boolean;
  onAnswer: (answer: 'sync' | 'no-sync' | undefined) => void;
}): ReactNode {
  const lines = trustGateLines(inspection, environment, exists, width);
  const rows = Math.max(1, height - 3);
  const max = Math.max(0, lines.length - rows);
  const [offset, setOffset] = useState(0);
  useKeys(
    (input, key) => {
      const action = resolveKey('trust-gate', input, key);
      if (action === 'approve') onAnswer('sync');
      else if (action === 'approve-no-sync') onAnswer('no-sync');
      else if (action === 'decline') onAnswer(undefined);
      else if (action === 'down') setOffset((o) => Math.min(o + 1, max));
      else if (action === 'up') setOffset((o) => Math.max(0, o - 1));
      else if (action === 'page-down') setOffset((o) => Math.min(o + rows - 1, max));
      else if (action === 'page-up') setOffset((o) => Math.max(0, o - rows + 1));
      else if (action === 'top') setOffset(0);
      else if (action === 'bottom') setOffset(max);
    },
    { isActive: active },
  );
  const shown = lines.slice(offset, offset + rows);
  const more =
    max > 0 ? ` (${String(offset + 1)}-${String(offset + shown.length)} of ${String(lines.length)}, ↑↓ scroll)` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(`Install ${environment}: review before anything runs${more}`, width)}
      </Text>
      {shown.map((line, i) => (
        <Text
          key={offset + i}
          wrap="truncate-end"
          bold={line.tone === 'head'}
          {...(line.tone === 'warn' && theme.warn !== undefined ? { color: theme.warn } : {})}
        >
          {line.text}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text bold>
        {truncate(inspection.servers.length === 0 ? 'Install it?' : 'Approve these servers and install?', width)}
      </Text>
      <Text dimColor>
        {truncate('y install and sync · i install, no sync · n/esc cancel, nothing installed', width)}
      </Text>
    </Box>
  );
}
