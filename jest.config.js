// Jest runs the TypeScript sources directly as ES modules (swc transform); the
// "#lib" aliases resolve to each lib's source instead of the built dist/.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^#(core|db|config|jobs|auth|logging|predictions|signals|events|notify)$': '<rootDir>/libs/$1/src/index.ts',
    '^#test/(.*)\\.js$': '<rootDir>/tests/support/$1.ts',
    '^#apps/(.*)\\.js$': '<rootDir>/apps/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  // The audit signing key every app and spawned process of a run shares (AUDIT_SIGNING_KEY is required with DATABASE_URL).
  setupFiles: ['<rootDir>/tests/support/test-environment.ts'],
};

export default {
  // Suites boot real apps on a shared 2-core machine: a hook or test may take seconds.
  testTimeout: 60000,
  // Every suite closes what it opens. Should one leak a handle (a server, a socket, a timer), the run
  // still ends, with its result, rather than holding CI until its time limit; `npm run test:handles`
  // names what was left open.
  forceExit: true,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/tests/architecture/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/**/*.e2e-spec.ts'],
      testTimeout: 60000,
    },
    // Fault drills stop and restart servers of their own (npm run test:faults).
    { ...shared, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.fault-spec.ts'] },
  ],
};
