/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const shared = {
  testEnvironment: 'node',
  // Stops the run when dist/ is older than its sources (the schematic and builder tests load dist/).
  globalSetup: '<rootDir>/test/support/dist-freshness.cjs',
  // Schematic type-checks write generated workspaces under .cache/ (git-ignored): not modules of ours.
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
  transform: { '^.+\\.ts$': tsJest },
  // Runtime sources are ESM with explicit `.js` specifiers; map them back to the `.ts` files.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // `@angular-devkit/schematics/testing` requires the ESM-only `ora` spinner (package install task),
    // which jest's CommonJS runtime cannot load: a small CommonJS spinner stands in for it.
    '^ora$': '<rootDir>/test/support/ora.cjs',
  },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/test/runtime/**/*.spec.ts',
        '<rootDir>/test/schematics/**/*.spec.ts',
        '<rootDir>/test/builders/**/*.spec.ts',
        '<rootDir>/test/docs/**/*.spec.ts',
        '<rootDir>/test/package/**/*.spec.ts',
        '<rootDir>/test/scripts/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
    },
  ],
};
