// Jest 30 + ts-jest in ESM mode (run with NODE_OPTIONS=--experimental-vm-modules).
// Two projects: `unit` (no engine: the pure modules, and the rest with a fake
// docker runner) and `e2e` (the bundle against a real engine and real registries
// started by scripts/services.sh).
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] }
}

export default {
  // Global (Jest ignores it inside a project): the end-to-end tests build and push images.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] }
  ]
}
