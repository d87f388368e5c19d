import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

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
          patterns: [
            { group: ['**/libs/*', '**/libs/*/**'], message: 'Import a library through its #alias (its index.ts is its public face).' },
            { group: ['#*/src/generated/*'], message: 'Import Prisma types from #db.' },
          ],
        },
      ],
    },
  },
  {
    // Dependency direction: apps -> #notify -> feature libs -> #events -> #db. Nothing below notify reads it,
    // and the event catalogue knows no feature lib. (A later block's rule replaces the one above for these files.)
    files: ['libs/events/**', 'libs/predictions/**', 'libs/signals/**', 'libs/db/**', 'libs/jobs/**', 'libs/config/**', 'libs/core/**', 'libs/auth/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/libs/*', '**/libs/*/**'], message: 'Import a library through its #alias (its index.ts is its public face).' },
            { group: ['#*/src/generated/*'], message: 'Import Prisma types from #db.' },
            { regex: '^#(notify|apps)(/|$)', message: 'Notifications sit above the feature libraries: they read events, nothing below imports them.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/events/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/libs/*', '**/libs/*/**'], message: 'Import a library through its #alias (its index.ts is its public face).' },
            { group: ['#*/src/generated/*'], message: 'Import Prisma types from #db.' },
            { regex: '^#(notify|apps|predictions|signals|auth)(/|$)', message: 'The event catalogue is low-level: feature libraries write through it, it imports none of them.' },
          ],
        },
      ],
    },
  },
  {
    // The web app's own small browser script: plain JavaScript, no type information.
    files: ['apps/api/src/app/assets/**/*.js'],
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
