// Preloaded with `node --import` by tests: records every module URL the process loads into the file named
// by STATION_TRACE_IMPORTS, so a test can check that `stn --help` loads no React, MCP SDK or openai.
import { register } from 'node:module';

register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file: process.env.STATION_TRACE_IMPORTS } });
