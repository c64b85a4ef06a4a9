// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Core is the engine: it never reaches up into the interfaces or their UI libraries. */
const coreForbidden = ['ink', 'ink-*', 'react', 'react/*', '@oclif/*', 'ink-testing-library'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json', 'test/fixtures/**', 'bin/dev.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'bench/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      // oclif's run() and hooks are async by contract even when the work is synchronous.
      '@typescript-eslint/require-await': 'off',
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/core',
              from: ['./src/tui', './src/cli', './src/commands'],
              message: 'src/core is the engine: it must not import the interfaces (tui, cli, commands).',
            },
            {
              target: './src/tui',
              from: ['./src/commands', './src/cli'],
              message: 'The TUI talks to the core only.',
            },
            {
              target: './src/cli',
              from: ['./src/commands', './src/tui'],
              message: 'src/cli is shared command code: it loads the TUI only by dynamic import from a command.',
            },
            {
              target: './src/tui',
              from: './src/core',
              except: ['./index.ts'],
              message: "The TUI imports the core's public facade only (src/core/index.ts), never its modules.",
            },
            {
              target: ['./src/core/server', './src/core/mcp-server'],
              from: './src/core/store',
              message:
                'The HTTP and MCP servers are doors: they go through the application layer (src/core/api) and the services, never the store.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: coreForbidden, message: 'src/core must not import UI or CLI libraries (ink, react, @oclif).' },
          ],
        },
      ],
    },
  },
  {
    // Doors: what they read of runs comes from the application layer or RunService's methods.
    files: [
      'src/tui/**/*.{ts,tsx}',
      'src/cli/**/*.ts',
      'src/commands/**/*.ts',
      'src/core/server/**/*.ts',
      'src/core/mcp-server/**/*.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='repo']:not([object.type='ThisExpression'])",
          message:
            "No SQL in the doors: use the application layer (src/core/api) or RunService's methods, not RunService.repo.",
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.js', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
);
