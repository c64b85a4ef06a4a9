#!/usr/bin/env node
// Runs the compiled CLI. No logic here: see src/cli/main.ts.
import module from 'node:module';

// Node 22.1 and newer keep the compiled code of the bundles between runs (in the OS temp folder), which takes
// most of the module compile time off every start; Node 20 has no such cache and skips this.
module.enableCompileCache?.();

const { main } = await import('../dist/cli/main.js');
await main(process.argv.slice(2), import.meta.url);
