// ESLint: typescript-eslint's type-aware rules over every TypeScript file of the project.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.cronium/', 'cdk.out/', 'dist/', 'runtime-images/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Ports are promise-returning interfaces; an implementation with nothing to await stays `async`
      // so a throw becomes a rejection, as every caller expects.
      '@typescript-eslint/require-await': 'off',
      // The code is factories returning plain objects of closures: nothing uses `this`, so a method
      // passed on unbound is safe and the rule would only flag that style.
      '@typescript-eslint/unbound-method': 'off',
      // An abort reason (`signal.reason`, typed any) and an error forwarded as received are rejected as they are.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read API answers as parsed JSON (`any`) and assert on them field by field; fakes implement
    // async ports with synchronous bodies. The promise rules still hold there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // WebSocket frames arrive as Buffers; tests and the bench read them with String(data).
      '@typescript-eslint/no-base-to-string': 'off',
      // vi.mock's importOriginal is typed with typeof import('…'), as vitest documents.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
);
