// @ts-check
// ESLint flat config: Next's recommended rules (react, react-hooks, a11y, core web vitals)
// plus typescript-eslint's recommended rules. `npm run lint` runs it; `npm test` runs lint first.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import { defineConfig, globalIgnores } from 'eslint/config';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', '.next-*/**', 'out/**', '.cache/**', 'public/search/**', 'next-env.d.ts', 'node_modules/**', 'bench/baseline-next/.next/**']),
  {
    rules: {
      // Unused names are errors, but `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
]);
