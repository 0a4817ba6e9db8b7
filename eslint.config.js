// Lint rules for every TypeScript file in the repository. Type-aware rules catch floating promises and
// non-exhaustive switches (DESIGN.md, pattern 15); no line over 120 characters; the layering rule
// (tools/eslint/layering.js) keeps lower rooms
// from importing higher ones or other rooms' inner files, and owned packages in their rooms (pattern 1).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import stylistic from '@stylistic/eslint-plugin';
import layering from './tools/eslint/layering.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'out/**', 'scratch/**', 'app/electron/**', 'app/ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself tracks.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.mjs'],
    plugins: { ppipe: layering },
    rules: { 'ppipe/layering': ['error', { srcDir: path.join(import.meta.dirname, 'src') }] },
  },
  {
    // Prettier wraps code at 120 (.prettierrc.json) but leaves comments and strings: this catches those.
    files: ['src/**', 'test/**', 'bench/**', 'tools/**', 'app/ui/src/**'],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 120, tabWidth: 2 }] },
  },
);
