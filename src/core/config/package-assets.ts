import { fileURLToPath } from 'node:url';

/**
 * Folders shipped in the package beside src/ and dist/. This file sits at the same depth under
 * src/ and dist/, so one relative URL serves both.
 */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates', import.meta.url));
export const BUNDLES_DIR = fileURLToPath(new URL('../../../bundles', import.meta.url));
export const PACKAGE_JSON = fileURLToPath(new URL('../../../package.json', import.meta.url));
/** The built web UI (tools/bundle-web.js); absent when Station runs from its sources before a build. */
export const WEB_DIR = fileURLToPath(new URL('../../../dist/web', import.meta.url));
