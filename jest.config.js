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
  // Jest's ES-module loader keeps each test file's module graph alive after the file ends (about
  // 5 MB a unit file, far more for a suite that boots the app), so one process running all 140
  // files grows past Node's 4 GB heap. Files run one at a time (the scripts pass --maxWorkers=1:
  // suites share one PostgreSQL, one Redis and two cores) in a worker that Jest replaces whenever
  // a file leaves it above this size.
  workerIdleMemoryLimit: '1GB',
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
