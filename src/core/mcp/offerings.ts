/**
 * What MCP servers offer besides tools (resources, resource templates, prompts) and what a call by hand
 * answers, as plain JSON with a stable shape: for `stn mcp resources|prompts|call|read`, REST and tests.
 * Light: no MCP SDK here (the pool converts the SDK's types).
 */
import { NotFoundError, UsageError } from '../errors.js';
import type { Redact } from './redactor.js';

/** `ok`: listed; `unsupported`: the server does not offer this (not an error); `failed`: down, or its answer failed. */
export type OfferStatus = 'ok' | 'unsupported' | 'failed';

export interface ResourceInfo {
  uri: string;
  name: string;
  title: string | null;
  description: string;
  mimeType: string | null;
}

export interface ResourceTemplateInfo {
  uriTemplate: string;
  name: string;
  title: string | null;
  description: string;
  mimeType: string | null;
}

export interface PromptArgumentInfo {
  name: string;
  description: string;
  required: boolean;
}

export interface PromptInfo {
  name: string;
  title: string | null;
  description: string;
  arguments: PromptArgumentInfo[];
}

/** One server's resources. */
export interface ServerResources {
  server: string;
  status: OfferStatus;
  /** Why it failed (secrets masked). */
  error?: string;
  resources: ResourceInfo[];
  templates: ResourceTemplateInfo[];
}

/** One server's prompts. */
export interface ServerPrompts {
  server: string;
  status: OfferStatus;
  error?: string;
  prompts: PromptInfo[];
}

/** `stn mcp resources --json`. */
export interface ResourceListing {
  environment: string;
  servers: ServerResources[];
}

/** `stn mcp prompts --json`. */
export interface PromptListing {
  environment: string;
  servers: ServerPrompts[];
}

/** A tool's answer as the server sent it (secrets masked in its text): MCP content items, structured content, isError. */
export interface RawToolResult {
  content: unknown[];
  structuredContent?: unknown;
  isError: boolean;
}

/** `stn mcp call --json`: which tool answered, how long the call took, and its raw result. */
export interface ToolCallReport {
  environment: string;
  server: string;
  tool: string;
  /** `server__tool`. */
  qualifiedName: string;
  /** Milliseconds from sending the call to its answer (servers already started). */
  durationMs: number;
  result: RawToolResult;
}

/** One item of a resource's contents: `text`, or `blob` (base64). */
export interface ResourceContents {
  uri: string;
  mimeType: string | null;
  text?: string;
  blob?: string;
}

/** `stn mcp read --json`. */
export interface ResourceReadReport {
  environment: string;
  server: string;
  uri: string;
  durationMs: number;
  contents: ResourceContents[];
}

/**
 * Masks secrets in every string of an answer, except base64 payloads (`blob`, and the `data` of image and
 * audio content): a secret never appears in their text, and masking there would only corrupt them.
 */
export function maskAnswer<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskAnswer(v, redact)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const binary = record.type === 'image' || record.type === 'audio';
  return Object.fromEntries(
    Object.entries(record).map(([key, v]) => [
      key,
      key === 'blob' || (binary && key === 'data') ? v : maskAnswer(v, redact),
    ]),
  ) as T;
}

/** Whether a URI matches an RFC 6570 template (`demo://text/{id}`): each expression stands for any text. */
export function matchesUriTemplate(template: string, uri: string): boolean {
  const pattern = template
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith('{') && part.endsWith('}') ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(uri);
}

/**
 * The server to read a URI from when none is named: the one that lists it, else the one whose template
 * matches it. Several: a usage error asking for --server; none: not found (a server may still serve URIs
 * it does not list: name it with --server).
 */
export function pickResourceServer(servers: readonly ServerResources[], uri: string, environment: string): string {
  const listing = servers.filter((s) => s.resources.some((r) => r.uri === uri));
  const templated = servers.filter((s) => s.templates.some((t) => matchesUriTemplate(t.uriTemplate, uri)));
  const candidates = listing.length > 0 ? listing : templated;
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only !== undefined) return only.server;
  if (candidates.length > 1) {
    throw new UsageError(
      `several MCP servers of "${environment}" could serve ${uri}: ${candidates.map((s) => s.server).join(', ')}`,
      { hints: ['Name one with --server NAME.'] },
    );
  }
  const offering = servers.filter((s) => s.status === 'ok').map((s) => s.server);
  const failed = servers.filter((s) => s.status === 'failed');
  throw new NotFoundError(`no MCP server of "${environment}" lists ${uri}`, {
    hints: [
      ...failed.map((s) => `${s.server} did not answer: ${s.error ?? 'unknown error'}`),
      offering.length === 0
        ? `No server of "${environment}" offers resources.`
        : `See what they offer: stn mcp resources --env ${environment} (or name a server with --server: ${offering.join(', ')})`,
    ],
  });
}
