#!/usr/bin/env node
// Build step: bundles the compiled CLI (dist/cli/main.js, the help class, the hook and every command in
// dist/commands) into the same files plus shared chunks (dist/cli/chunks), and @oclif/core with what it
// requires into one CommonJS file, dist/cli/oclif.cjs, so that a command loads a handful of files instead of the
// ~160 CommonJS files of @oclif/core and its dependencies (loading them was the largest part of `stn env list`
// and `stn --help`). oclif is CommonJS so that its compiled code is kept between runs on Node 20, as the core's
// is (src/cli/compile-cache.ts). Every entry keeps its path, so oclif.manifest.json and oclif's own command
// loading are unchanged, and all of them share one copy of @oclif/core (one Command class, one set of oclif
// errors).
//
// Station's core and TUI stay outside: they are already bundles (tools/bundle-core.js, tools/bundle-tui.js),
// shared with the other doors. Their imports are re-pointed through the package's `#dist/*` subpath import
// (package.json "imports"), which resolves the same from an entry and from a chunk in another folder. The few
// core modules the CLI imports on their own (config reading for shell completion, close names) are inlined,
// and require `yaml` as the core does, from dist/core/yaml.cjs (tools/lazy-yaml.js), so a Tab press loads a
// few files instead of ~80; they hold no state. errors.js stays an import (one set of error classes with the
// core), and so does config/package-assets.js, which finds templates/ relative to its own file (the core's
// bundle holds a copy that finds them from the same place).
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yamlFromBundle } from './lazy-yaml.js';
import { bundleForNode, keepRelativeImports, lazyCrypto } from './node-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const BUNDLED_DIRS = [join(dist, 'cli') + sep, join(dist, 'commands') + sep];
const SHARED_CORE = new Set(
  ['index.js', 'errors.js', join('config', 'package-assets.js')].map((f) => join(dist, 'core', f)),
);
const inBundle = (path) =>
  BUNDLED_DIRS.some((dir) => path.startsWith(dir)) ||
  (path.startsWith(join(dist, 'core') + sep) && !SHARED_CORE.has(path));

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

const entryPoints = [
  join(dist, 'cli', 'main.js'),
  join(dist, 'cli', 'help.js'),
  join(dist, 'cli', 'hooks', 'command-not-found.js'),
  ...jsFiles(join(dist, 'commands')),
];

/** Relative imports of the core's facade, its shared modules and the TUI stay imports, via `#dist/*`. */
const keepOtherDistExternal = keepRelativeImports('keep-other-dist-external', dist, (target) =>
  inBundle(target) ? undefined : `#dist/${relative(dist, target).split(sep).join('/')}`,
);

/**
 * Packages stay imports. @oclif/core is dist/cli/oclif.cjs, reached through a CommonJS module of the bundle
 * (importers read its exports on use, as they did from @oclif/core's own CommonJS, so oclif's lazy requires
 * stay lazy), which gives oclif an import() for what it loads as ES modules: the commands, and tsx in
 * development mode.
 */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^@oclif\/core$/ }, () => ({ path: '@oclif/core', namespace: 'oclif-cjs' }));
    b.onLoad({ filter: /.*/, namespace: 'oclif-cjs' }, () => ({
      contents: [
        "const oclif = require('#dist/cli/oclif.cjs');",
        'oclif.__stnSetImport((specifier) => import(specifier));',
        'module.exports = oclif;',
      ].join('\n'),
      loader: 'js',
    }));
    b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * @oclif/core's modules require each other at their top (its index requires all of it: help, plugin loading,
 * spinners, semver, globbing), though a command uses a part. Inside the bundle those top-level requires are
 * made lazy: `const x_1 = require("./y")` becomes a stand-in that requires ./y on the first use of x_1, so
 * only what a run touches is evaluated. oclif's compiled code reaches every import through the module object
 * (`(0, x_1.f)(...)`, `x_1.C`), which the stand-in forwards. Only these exact statement forms are changed.
 */
const LAZY_REQUIRE = /^(const|var) (\w+) = (__importDefault\(|__importStar\()?require\(("[^"]+")\)(\)?);$/gm;
const LAZY_EXPORT = /^exports\.(\w+) = __importStar\(require\(("[^"]+")\)\);$/gm;
const lazyOclifRequires = {
  name: 'lazy-oclif-requires',
  setup(b) {
    b.onResolve({ filter: /^is-wsl$/ }, async (args) => {
      if (!/[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]os\.js$/.test(args.importer)) return undefined;
      const wslUtils = await b.resolve('wsl-utils', {
        resolveDir: args.resolveDir,
        importer: args.importer,
        kind: 'dynamic-import',
      });
      if (wslUtils.errors.length > 0) return { errors: wslUtils.errors };
      return b.resolve('is-wsl', {
        resolveDir: dirname(wslUtils.path),
        importer: wslUtils.path,
        kind: 'import-statement',
      });
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      let contents = source
        .replace(LAZY_REQUIRE, (_m, kind, name, wrap, path, close) =>
          wrap !== undefined && close !== ''
            ? `${kind} ${name} = __stnLazy(() => ${wrap}require(${path})));`
            : wrap === undefined && close === ''
              ? `${kind} ${name} = __stnLazy(() => require(${path}));`
              : _m,
        )
        .replace(LAZY_EXPORT, (_m, name, path) => `exports.${name} = __stnLazy(() => __importStar(require(${path})));`);
      if (/[\\/](module-loader|config[\\/]ts-path)\.js$/.test(args.path)) {
        // What oclif loads with import() (ES modules: the commands, tsx's loader) it loads through the import()
        // the CLI's bundle gives it (an import() in oclif.cjs would be a require(); see externalPackages).
        if (!contents.includes('await import(')) throw new Error(`@oclif/core changed: no import() in ${args.path}`);
        contents = contents.replaceAll('await import(', 'await __stnImport(');
      }
      if (/[\\/]lib[\\/]index\.js$/.test(args.path)) {
        // oclif warns when Node is older than its own engines (>=18) by loading semver and its package.json
        // on every start; Station's engines (>=20) are stricter and its bundles do not load on older Nodes.
        if (!contents.includes('\ncheckNodeVersion();\n')) throw new Error(`@oclif/core changed: ${args.path}`);
        contents = contents.replace('\ncheckNodeVersion();\n', '\n');
      }
      if (/[\\/]config[\\/]plugin-loader\.js$/.test(args.path)) {
        // Plugins are named in package.json by name or glob; oclif matched each of Station's dependencies
        // against each with minimatch (loading it and compiling a pattern per dependency) on every start. A
        // name without glob characters matches only itself.
        if (!contents.includes(MATCH_PLUGIN))
          throw new Error(`@oclif/core changed: no "${MATCH_PLUGIN}" in ${args.path}`);
        contents = contents.replace(
          MATCH_PLUGIN,
          'patterns.some((w) => (/[*?[\\]{}()!\\\\]/.test(w) ? (0, minimatch_1.minimatch)(p, w) : p === w))',
        );
      }
      if (/[\\/]util[\\/]os\.js$/.test(args.path)) {
        // Config's load asks wsl-utils whether this is WSL, and wsl-utils loads node:child_process (with net and
        // dgram, ~5 ms of every command) and PowerShell helpers at its top to answer from is-wsl. The same
        // answer comes from is-wsl itself (resolved as wsl-utils resolves it, below).
        if (!contents.includes(WSL_UTILS_IS_WSL))
          throw new Error(`@oclif/core changed: no "${WSL_UTILS_IS_WSL}" in ${args.path}`);
        contents = contents.replace(WSL_UTILS_IS_WSL, "(await import('is-wsl')).default");
      }
      if (/[\\/]config[\\/]plugin\.js$/.test(args.path)) {
        // A plugin sorted its commands with localeCompare on every start: the first call builds ICU's collator
        // (~8-10 ms, a twentieth of \`stn --help\`). Help and completion sort commands themselves by code point,
        // and Station's ids (a-z, '-', ':', '_') come out in the same order either way in English; sorted by
        // code point, the order no longer depends on the user's locale.
        if (!contents.includes(SORT_COMMANDS))
          throw new Error(`@oclif/core changed: no "${SORT_COMMANDS}" in ${args.path}`);
        contents = contents.replace(SORT_COMMANDS, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))');
      }
      if (/[\\/]help[\\/]util\.js$/.test(args.path)) {
        // Help renders every string it prints (each summary, flag and example) with ejs, which compiles a
        // function per string; only a string with a tag ("<%") can come out different, so the others are kept.
        if (!contents.includes(EJS_RENDER)) throw new Error(`@oclif/core changed: no "${EJS_RENDER}" in ${args.path}`);
        contents = contents.replace(
          EJS_RENDER,
          `return t.includes('<%') ? ${EJS_RENDER.slice('return '.length, -1)} : t;`,
        );
      }
      if (/[\\/]lib[\\/]command\.js$/.test(args.path)) {
        // Config.runCommand hands a command its loaded Config, and Command.run loaded it again: a new Config
        // of the same options, its plugins' commands and topics listed anew (for a Config made by another
        // copy of oclif; this CLI holds one). A loaded Config is used as it is.
        if (!contents.includes(RELOAD_CONFIG))
          throw new Error(`@oclif/core changed: no "${RELOAD_CONFIG}" in ${args.path}`);
        contents = contents.replace(
          RELOAD_CONFIG,
          `const config = opts instanceof config_1.Config ? opts : ${RELOAD_CONFIG.slice('const config = '.length)}`,
        );
      }
      if (/[\\/]util[\\/]fs\.js$/.test(args.path)) {
        // oclif reads package.json and the manifests (its own and plugin-help's: 7 reads for `stn --help`) one
        // after the other, each as an asynchronous read of a few thread-pool round trips; read at once, they
        // take ~5 ms less of `stn --help`.
        if (!contents.includes(READ_JSON)) throw new Error(`@oclif/core changed: no "${READ_JSON}" in ${args.path}`);
        contents = contents.replace(READ_JSON, "const contents = (0, node_fs_1.readFileSync)(path, 'utf8');");
      }
      return { contents: contents === source ? source : `${LAZY_HELPER}\n${contents}`, loader: 'js' };
    });
  },
};
const WSL_UTILS_IS_WSL = "(await import('wsl-utils')).isWsl";
const SORT_COMMANDS = '.sort((a, b) => a.id.localeCompare(b.id))';
const EJS_RENDER = 'return ejs_1.default.render(t, context);';
const READ_JSON = "const contents = await (0, promises_1.readFile)(path, 'utf8');";
const RELOAD_CONFIG = 'const config = await config_1.Config.load(opts || require.main?.filename || __dirname);';
const MATCH_PLUGIN = 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))';
const LAZY_HELPER = `function __stnLazy(load) {
  let loaded;
  const m = () => (loaded ??= load());
  return new Proxy(Object.create(null), {
    get: (_, key) => m()[key],
    set: (_, key, value) => { m()[key] = value; return true; },
    has: (_, key) => key in m(),
    ownKeys: () => Reflect.ownKeys(m()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(m(), key);
      if (d !== undefined) d.configurable = true;
      return d;
    },
    getPrototypeOf: () => Object.getPrototypeOf(m()),
  });
}`;

/** oclif.cjs's import(), given by the CLI's bundle when it first requires oclif.cjs. */
const IMPORT_SLOT = `let __stnImport = (specifier) => Promise.reject(new Error(\`oclif.cjs cannot import \${specifier}\`));`;
const IMPORT_SETTER = 'module.exports.__stnSetImport = (f) => { __stnImport = f; };';

await bundleForNode({
  stdin: { contents: "module.exports = require('@oclif/core');", resolveDir: root, sourcefile: 'oclif-entry.cjs' },
  outfile: join(dist, 'cli', 'oclif.cjs'),
  format: 'cjs',
  // is-wsl (an ES module) is bundled: its import() becomes a require() of it.
  supported: { 'dynamic-import': false },
  banner: { js: IMPORT_SLOT },
  footer: { js: IMPORT_SETTER },
  // TypeScript and ts-node are what oclif loads only in development mode (ts-path), never from the built CLI.
  external: ['typescript', 'ts-node'],
  plugins: [lazyOclifRequires],
});

await bundleForNode({
  entryPoints,
  outdir: dist,
  outbase: dist,
  entryNames: '[dir]/[name]',
  chunkNames: 'cli/chunks/[name]-[hash]',
  splitting: true,
  plugins: [keepOtherDistExternal, lazyCrypto, externalPackages, yamlFromBundle],
});
