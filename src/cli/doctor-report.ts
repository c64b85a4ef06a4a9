/** How `stn doctor` prints its report: one aligned row per check, the fix under it, then a summary line. */
import type { DoctorCheck, DoctorReport } from '../core/index.js';
import type { StyleName } from './output.js';
import { visibleLength } from './output.js';

type Style = Record<StyleName, (text: string) => string>;

const HEADERS = ['AREA', 'CHECK', 'STATUS', 'DETAIL'] as const;

/** The table: AREA, CHECK, STATUS, DETAIL columns; a check with a fix gets a `→ fix` line under its detail. */
export function formatDoctorReport(report: DoctorReport, style: Style): string {
  const status = (c: DoctorCheck): string =>
    c.status === 'ok' ? style.green('ok') : c.status === 'warn' ? style.yellow('warn') : style.red('fail');
  const rows = report.checks.map((c) => [c.area, c.name, status(c), c.detail]);
  const widths = [0, 1, 2].map((i) => Math.max(HEADERS[i]?.length ?? 0, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (text: string, i: number): string =>
    text + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(text)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i < 3 ? pad(cell, i) : cell))
      .join('  ')
      .trimEnd();
  const indent = ' '.repeat(widths.reduce((n, w) => n + w + 2, 0));
  const out = [style.bold(line(HEADERS))];
  report.checks.forEach((c, i) => {
    out.push(line(rows[i] ?? []));
    if (c.hint !== null && c.status !== 'ok') out.push(`${indent}${style.dim('→')} ${c.hint}`);
  });
  if (report.skipped.length > 0) {
    const reasons = [...new Set(report.skipped.map((s) => s.reason))];
    const groups = reasons.map(
      (r) =>
        `${report.skipped
          .filter((s) => s.reason === r)
          .map((s) => s.area)
          .join(', ')} (${r})`,
    );
    out.push('', style.dim(`Not checked: ${groups.join('; ')}.`));
  }
  out.push('', summaryLine(report, style));
  return out.join('\n');
}

/** `12 checks: 11 ok, 1 warning.`, or with failures `... 1 failed (exit 8).` */
export function summaryLine(report: DoctorReport, style: Style): string {
  const count = (s: DoctorCheck['status']): number => report.checks.filter((c) => c.status === s).length;
  const [ok, warn, fail] = [count('ok'), count('warn'), count('fail')];
  const parts = [`${String(ok)} ok`];
  if (warn > 0) parts.push(style.yellow(`${String(warn)} warning${warn === 1 ? '' : 's'}`));
  if (fail > 0) parts.push(style.red(`${String(fail)} failed`));
  const total = report.checks.length;
  const tail = report.ok ? '' : ` (exit ${String(report.exitCode)})`;
  return `${String(total)} check${total === 1 ? '' : 's'}: ${parts.join(', ')}${tail}.`;
}
