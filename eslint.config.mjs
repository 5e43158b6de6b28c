// ESLint flat config: the recommended rules of ESLint and typescript-eslint (syntax only: no
// type-aware rules, so `npm run lint` stays a few seconds). Formatting is Prettier's job
// (.prettierrc.json); none of these rules is about layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Same list as .prettierignore: build output, caches, generated workspaces, and the fixtures,
    // which are real user files in many styles and are compared byte for byte.
    ignores: ['dist/', 'coverage/', 'test-results/', '.cache/', 'bench/.work/', 'screenshots/', 'test/fixtures/', '**/*.template'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_` marks a parameter kept for its position; `catch {}` with a binding is sometimes clearer.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // CommonJS: the package's own .js/.cjs helpers, jest.config.js.
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.cjs'],
    languageOptions: { globals: { ...globals.jest } },
    // Tests load built CommonJS output with require() and poke at loosely typed JSON (angular.json).
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
