// oclif's `execute`, behind a static import: main.ts loads it with import() only when a command runs, and
// once the CLI is bundled (tools/bundle-cli.js) @oclif/core is CommonJS inside an ESM chunk, whose named
// exports only a static import sees.
export { execute } from '@oclif/core';
