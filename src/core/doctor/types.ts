import type { StationPaths } from '../config/home.js';

/** What `stn doctor` looks at, in the order it looks. */
export const DOCTOR_AREAS = ['home', 'config', 'database', 'model', 'mcp'] as const;
export type DoctorArea = (typeof DOCTOR_AREAS)[number];

/** ok: nothing to do; warn: works, but worth fixing; fail: something will not work until fixed. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding (a stable shape: `stn doctor --json` prints a list of them). */
export interface DoctorCheck {
  area: DoctorArea;
  /** What was checked: `folder`, `config.yaml`, `integrity`, `endpoint`, `default/filesystem`, ... */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about it (a command when there is one); null when there is nothing to do. */
  hint: string | null;
}

/** An area that was not checked, and why (asked to skip it, or nothing to check it with). */
export interface SkippedArea {
  area: DoctorArea;
  reason: string;
}

export interface DoctorReport {
  /** No check failed (warnings allowed). */
  ok: boolean;
  /** 0 when ok, else the exit code of the first area with a failure (home and config 6, database 7, model 9, mcp 8). */
  exitCode: number;
  checks: DoctorCheck[];
  skipped: SkippedArea[];
}

/** The Station home the doctor looks at; no engine needed (it must work when the engine cannot open). */
export interface DoctorTarget {
  paths: StationPaths;
  /** The process environment: variables for MCP configs, the model key and base URL. */
  env: NodeJS.ProcessEnv;
}

/** Progress of a running doctor, for spinners: an area started, or a step inside it. */
export interface DoctorProgress {
  area: DoctorArea;
  text: string;
}

export interface DoctorOptions {
  /** Check the MCP servers of these environments only (default: every environment folder). */
  environments?: readonly string[];
  skipModel?: boolean;
  skipMcp?: boolean;
  /** A write-ahead log larger than this is a warning (default 64 MiB). */
  walWarnBytes?: number;
  /** How long the model endpoint may take to list its models (default 10 s). */
  modelTimeoutMs?: number;
  /** Injected fetch for the model check (proxies, tests). */
  fetch?: typeof fetch;
  onProgress?: (progress: DoctorProgress) => void;
}
