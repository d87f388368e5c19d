import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What each library may import of ours; everything else is a layer above it. */
const LIBRARY_LAYERS = {
  core: [],
  config: [],
  logging: ['config', 'core'],
  db: ['config', 'core'],
  events: ['config', 'core', 'db'],
  jobs: ['config', 'core', 'db', 'events', 'logging'],
  auth: ['config', 'core', 'db', 'events', 'logging'],
  predictions: ['config', 'core', 'db', 'events', 'jobs', 'logging', 'auth'],
  signals: ['config', 'core', 'db', 'events', 'jobs', 'logging', 'auth', 'predictions'],
  notify: ['config', 'core', 'db', 'events', 'jobs', 'logging', 'auth', 'predictions', 'signals'],
};

const SHARED_IMPORT_PATTERNS = [
  { group: ['**/libs/*', '**/libs/*/**'], message: 'Import a library through its #alias (its index.ts is its public face).' },
  { group: ['#*/src/generated/*'], message: 'Import Prisma types from #db.' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'libs/db/src/generated/', '*.config.js', 'prisma.config.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Decorator metadata needs value imports of injected classes; the rule knows this from tsconfig.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      // Non-null assertions after indexing document an invariant; without noUncheckedIndexedAccess the rule calls them redundant.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: SHARED_IMPORT_PATTERNS,
        },
      ],
    },
  },
  // Dependency direction, one layer importing only the layers below it: apps -> #notify -> #signals ->
  // #predictions -> #auth, #jobs, #events -> #db, #logging -> #config, #core. Specs may import the test support.
  ...Object.entries(LIBRARY_LAYERS).map(([library, allowed]) => ({
    files: [`libs/${library}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...SHARED_IMPORT_PATTERNS,
            {
              regex: `^#(?!(${[...allowed, library].join('|')})(/|$))`,
              message: `libs/${library} ${allowed.length ? `may import only ${allowed.map((name) => `#${name}`).join(', ')}` : 'imports nothing of ours'}: a library depends only on the layers below it.`,
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['libs/**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: SHARED_IMPORT_PATTERNS }] },
  },
  {
    // Build scripts that run before anything is compiled: plain JavaScript modules for Node.
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: { console: 'readonly', process: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' },
    },
  },
  {
    // The web app's own small browser script: plain JavaScript, no type information.
    files: ['apps/api/src/web/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', history: 'readonly', URLSearchParams: 'readonly', FormData: 'readonly', HTMLFormElement: 'readonly', Element: 'readonly' },
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'tests/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
