// Lint rules, including the import boundaries of the design: renderer/ sees only server/contract (types and shared constants),
// server/ never sees electron/ or renderer/, and only stores and db/ touch SQLite. Layout is Prettier's
// (`prettier --check` in `npm run lint`), so the formatting rules of the presets are turned off last.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import prettier from 'eslint-config-prettier/flat';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'stream',
  'url',
  'util',
  'events',
  'buffer',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', 'playwright-report/**', 'release/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // The server-rendered pages' script runs in the browser as a classic script (served as /assets/portal.js).
    // Not Node: the Node globals every other file gets are turned off here.
    files: ['server/http/assets/**/*.js'],
    languageOptions: {
      globals: { ...Object.fromEntries(Object.keys(globals.node).map((name) => [name, 'off'])), ...globals.browser },
      sourceType: 'script',
    },
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', '!**/server/contract', '!**/server/contract/*'],
              message: 'renderer/ may import only server/contract.',
            },
            {
              group: ['**/electron/*', 'electron'],
              message: 'renderer/ never imports Electron; use the preload bridge.',
            },
            { group: nodeBuiltins, message: 'renderer/ runs in the browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // The Vite config runs in Node at build time, not in the browser.
    files: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    ignores: ['renderer/api/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Only renderer/api/ calls fetch; use a store action.' },
        { name: 'XMLHttpRequest', message: 'Only renderer/api/ talks HTTP.' },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', '**/electron/*'],
              message: 'server/ never imports Electron: it must run in plain Node.',
            },
            { group: ['**/renderer/*'], message: 'server/ never imports the console.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/db/**', 'server/**/*.store.ts', 'server/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'better-sqlite3', message: 'Only db/ and *.store.ts touch SQLite.' }],
          patterns: [
            {
              group: ['electron', '**/electron/*'],
              message: 'server/ never imports Electron: it must run in plain Node.',
            },
            { group: ['**/renderer/*'], message: 'server/ never imports the console.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message: 'The contract is self-contained (types and shared constants): it imports only its own files.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.{ts,cts}'],
    ignores: ['electron/platform/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:child_process', message: 'Only electron/platform/ runs OS commands.' },
            { name: 'child_process', message: 'Only electron/platform/ runs OS commands.' },
          ],
          patterns: [{ group: ['**/renderer/*'], message: 'electron/ talks to the console over IPC, not imports.' }],
        },
      ],
    },
  },
  prettier,
);
