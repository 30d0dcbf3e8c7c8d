// Layering (STYLE.md 2.1): data <- training <- serving; models/ and stores/ are storage and import neither;
// training/ and serving/ reach a store backend only through stores/open-store.ts and the interface.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['.scratch/**', 'dist/**', 'dist-bench/**', 'node_modules/**', 'tools/**', 'build/**', 'out/**', '.ringfence/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './data', from: ['./training', './models', './serving', './cli', './notebooks'] },
            { target: './models', from: ['./training', './serving', './cli', './notebooks'] },
            { target: './stores', from: ['./data', './training', './models', './serving', './cli', './notebooks'] },
            { target: ['./training', './serving'], from: ['./stores/lmdb-store.ts', './stores/redis-store.ts'] },
            { target: './training', from: ['./serving', './cli', './notebooks'] },
            { target: './serving', from: ['./cli', './notebooks'] },
          ],
        },
      ],
    },
  },
);
