import { readFileSync } from 'node:fs';
import { PACKAGE_JSON } from '../config/package-assets.js';

/** Station's version from package.json (the name/version an MCP client sees). */
export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
