// Jest 30 + ts-jest in ESM mode (run with NODE_OPTIONS=--experimental-vm-modules).
// Projects: `unit` (pure modules, no docker), and the end-to-end suite (the bundle
// against a real engine and real registries started by scripts/services.sh) once per
// Docker world: `e2e-classic` (engine 20.10, the CLI's classic builder) and
// `e2e-buildx` (engine 26 with the containerd image store, buildx 0.13). The harness
// reads the world from SHIP_IMAGE_WORLD. e2e-buildx is left out when services.json
// says there is no buildx world (SHIP_IMAGE_BUILDX=0).
import { readServices } from './scripts/lib/services.mjs'

const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] }
}

function buildxWorld() {
  if (process.env.SHIP_IMAGE_BUILDX === '0') return false
  try {
    return readServices().worlds?.buildx !== null
  } catch {
    return true // no services.json yet: the e2e projects fail with the harness's message
  }
}

const e2e = (world) => ({
  ...common,
  displayName: `e2e-${world}`,
  testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
  globals: { SHIP_IMAGE_WORLD: world }
})

export default {
  // Global (Jest ignores it inside a project): the end-to-end tests build and push images.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    e2e('classic'),
    ...(buildxWorld() ? [e2e('buildx')] : [])
  ]
}
