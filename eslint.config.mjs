// @ts-check
// ESLint flat config: Next's recommended rules (react, react-hooks, a11y, core web vitals)
// plus typescript-eslint's recommended rules. `npm run lint` runs it; `npm test` runs lint first.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import { defineConfig, globalIgnores } from 'eslint/config';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    'bench/baseline-next/**',
    '.next/**',
    '.next-*/**',
    'out/**',
    // Beside out/ while a build runs, or kept for the next one (lib/build/build.ts): out.staging, out.spare, out.trash…
    'out.*/**',
    '.cache/**',
    'public/search/**',
    'next-env.d.ts',
    'node_modules/**',
    'bench/baseline-next/.next/**',
  ]),
  {
    rules: {
      // Control characters in a regex are a mistake unless the line says why (eslint-disable-next-line).
      'no-control-regex': 'error',
      // Unused names are errors, but `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests (and the hostile content they share with the bench) feed and look for control characters on purpose.
    files: ['test/**', 'bench/lib/hostile-content.ts'],
    rules: { 'no-control-regex': 'off' },
  },
]);
