// Lint rules for Tessera. Type-aware rules catch the mistakes that hurt a storage system most
// (a floating promise is a write nobody waits for); the pure cores (erasure/, placement/,
// consensus/) may not reach the clock, randomness, the disk or the network directly: those come
// through the injected environment so that the simulator can run the same code.
import tseslint from 'typescript-eslint';

const pureCoreGlobals = [
  { name: 'Date', message: 'Pure cores read no clock: take time as an input.' },
  { name: 'setTimeout', message: 'Pure cores set no timers: time arrives as ticks.' },
  { name: 'setInterval', message: 'Pure cores set no timers: time arrives as ticks.' },
  { name: 'setImmediate', message: 'Pure cores set no timers.' },
  { name: 'performance', message: 'Pure cores read no clock.' },
  { name: 'process', message: 'Pure cores do not touch the process.' },
  { name: 'fetch', message: 'Pure cores do no I/O.' },
];
const pureCoreImports = {
  patterns: [
    {
      group: [
        'node:fs',
        'node:fs/*',
        'fs',
        'node:net',
        'net',
        'node:http',
        'node:child_process',
        'node:timers',
        'node:dgram',
        'node:os',
      ],
      message: 'Pure cores do no I/O: it reaches them through the injected environment.',
    },
    {
      group: ['**/node/**', '**/client/**', '**/simulations/**'],
      message: 'Pure cores import none of node/, client/ or simulations/.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      'bin/**',
      'proto/generated/**',
      'eslint.config.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Draw randomness from an injected source so that runs replay from a seed.',
        },
      ],
    },
  },
  {
    files: ['erasure/**/*.ts', 'placement/**/*.ts', 'consensus/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...pureCoreGlobals],
      'no-restricted-imports': ['error', pureCoreImports],
    },
  },
  {
    // DESIGN.md: the client never imports node/ (the SDK ships without the node's code).
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/node/**', '**/consensus/**', '**/simulations/**'],
              message: 'The client SDK builds on proto/, placement/ and erasure/ only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-restricted-syntax': 'off',
    },
  },
);
