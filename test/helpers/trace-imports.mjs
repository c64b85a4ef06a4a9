// Preloaded with `node --import` by tests: records every module the process loads into the file named by
// STATION_TRACE_IMPORTS (as file: URLs, one a line), so a test can check what a command loads. ES modules are
// recorded as they resolve; CommonJS ones (what `require` and createRequire load, which the resolve hook does
// not see) from the require cache when the process exits, and Node's built-in ones from its module load list.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.STATION_TRACE_IMPORTS;
register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  if (file === undefined) return;
  const urls = Object.keys(cache).map((path) => pathToFileURL(path).href);
  // Node's own modules, however loaded (import, require, or required by another built-in): node:NAME.
  for (const entry of process.moduleLoadList) {
    const name = /^NativeModule (.+)$/.exec(entry)?.[1];
    if (name !== undefined && !name.startsWith('internal/')) urls.push(`node:${name}`);
  }
  appendFileSync(file, urls.map((url) => url + '\n').join(''));
});
