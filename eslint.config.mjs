// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * Import boundaries between the top-level folders, for relative imports at any depth. A pattern cannot resolve a
 * path, so it says how far up the import goes: a file n folders deep reaches the repository root through exactly n
 * `../` (a bare `(../)+media` would also catch workflows/bots importing `../media`, which is workflows/media.ts). Each
 * folder gets one config object per depth, the last one covering everything deeper, and every object carries the
 * folder's whole rule: in flat config a later object's `no-restricted-imports` replaces an earlier one's, it does not
 * merge with it.
 *
 * @param {string} folder a top-level folder
 * @param {{ forbidden?: string[], why?: string, typeOnly?: string[], typeOnlyWhy?: string, paths?: object[],
 *   patterns?: object[] }} boundary `forbidden`: the top-level folders it may not import at all, and `why`;
 *   `typeOnly`: folders or files it may import only types from, and `typeOnlyWhy`; `paths` and `patterns`: further
 *   `no-restricted-imports` entries (packages).
 */
function boundary(folder, { forbidden = [], why = '', typeOnly = [], typeOnlyWhy = '', paths = [], patterns = [] }) {
  const deepest = 3;
  return [1, 2, deepest].map((depth) => {
    const up = depth === deepest ? `(\\.\\./){${depth},}` : `(\\.\\./){${depth}}`;
    const into = (/** @type {string[]} */ targets) => `^${up}(${targets.join('|')})(/.*)?$`;
    const names = (/** @type {string[]} */ targets) => targets.map((t) => `${t}/`).join(', ');
    return {
      files: [`${folder}/${'*/'.repeat(depth - 1)}${depth === deepest ? '**/' : ''}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths,
            patterns: [
              ...patterns,
              ...(forbidden.length > 0
                ? [{ regex: into(forbidden), message: `${folder}/ may not import ${names(forbidden)}: ${why}` }]
                : []),
              ...(typeOnly.length > 0 ? [{ regex: into(typeOnly), message: typeOnlyWhy, allowTypeImports: true }] : []),
            ],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Forgetting to await Temporal APIs, activities or HTTP calls loses work silently.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
              package: 'node:test',
            },
          ],
        },
      ],
      // Fakes and interface implementations are often async without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  // The emulator plays Bandwidth: it stands alone, and Threadline's configuration is mapped onto it in stack/.
  ...boundary('emulator', {
    forbidden: ['activities', 'config', 'kit', 'media', 'records', 'server', 'stack', 'worker', 'workflows'],
    why: 'the emulator stands alone (bandwidth/ gives it the API schemas); map Threadline configuration onto it in stack/.',
  }),
  // The Bandwidth client, schemas and error table are a library of their own: callers pass their settings in.
  ...boundary('bandwidth', {
    forbidden: [
      'activities',
      'config',
      'emulator',
      'kit',
      'media',
      'records',
      'server',
      'stack',
      'worker',
      'workflows',
    ],
    why: 'the Bandwidth layer knows nothing of Threadline; callers pass it its settings.',
  }),
  ...boundary('server', {
    forbidden: ['emulator', 'kit', 'stack'],
    why: 'the server talks to whatever answers at the Bandwidth URL; stack/ and kit/ wire the emulator in, and build on the server.',
  }),
  ...boundary('activities', {
    forbidden: ['emulator', 'kit', 'server', 'stack'],
    why: 'activities run in the worker and reach Bandwidth through bandwidth/; they know neither the server nor the emulator.',
  }),
  // Workflow code is replayed: it must be deterministic, so no Node built-ins, no I/O libraries, no I/O modules.
  ...boundary('workflows', {
    paths: nodeBuiltins.map((name) => ({
      name,
      message: 'Workflow code must be deterministic: no Node built-ins.',
    })),
    patterns: [
      {
        group: [
          'express',
          'pino',
          'pg',
          'better-sqlite3',
          'axios',
          'bandwidth-sdk',
          'zod',
          '@temporalio/client',
          '@temporalio/worker',
          '@temporalio/activity',
          '@temporalio/testing',
          'prom-client',
          'libphonenumber-geo-carrier',
        ],
        message: 'Workflow code must be deterministic: no I/O libraries. Call an activity instead.',
      },
    ],
    forbidden: ['config', 'emulator', 'kit', 'media', 'records', 'server', 'stack', 'worker'],
    why: 'workflow code must be deterministic. Call an activity instead.',
    typeOnly: ['activities', 'bandwidth/client'],
    typeOnlyWhy: 'Workflows may only import types from activities and the Bandwidth client (use `import type`).',
  }),
  // The phone page's browser modules (emulator/phone/): plain JavaScript, served as they are, no type information.
  {
    files: ['emulator/phone/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'EventSource', 'FileReader', 'console'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch', 'process', 'require'],
    },
  },
);
