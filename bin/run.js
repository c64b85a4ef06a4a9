#!/usr/bin/env node
// Runs the compiled CLI. No logic here: see src/cli/main.ts. The compiled code of Station's bundles is kept
// between runs (src/cli/compile-cache.ts), which takes most of the module compile time off every start.
const { keepCompiledCode, main } = await import('../dist/cli/main.js');
keepCompiledCode(new URL('../dist/', import.meta.url));
await main(process.argv.slice(2), import.meta.url);
