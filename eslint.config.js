// Lint rules for every package: typescript-eslint's recommended set plus the house rules of STYLE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'Engine/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-console': 'error',
    },
  },
  {
    files: ['packages/webui/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['packages/engine/src/cli/**', 'scripts/**', '.ci/**', '**/*.test.ts', '**/test/**', '**/bench/**', '**/scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Migrations are frozen in time and take Kysely<any> (STYLE.md "Database").
    files: ['packages/engine/src/db/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
