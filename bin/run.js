#!/usr/bin/env node
// Runs the compiled CLI. No logic here: see src/cli/main.ts.
import { main } from '../dist/cli/main.js';

await main(process.argv.slice(2), import.meta.url);
