import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importBoundaries from './eslint-rules/import-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['src/**/*.ts', 'handlers/**/*.ts', 'cards/**/*.ts'],
    plugins: { local: { rules: { 'import-boundaries': importBoundaries } } },
    rules: { 'local/import-boundaries': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ignores: ['demo/page/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // The demo page's scripts run in the browser (plain ES modules, no build step).
    files: ['demo/page/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'demo/**'],
    rules: { 'no-console': 'off' },
  },
);
