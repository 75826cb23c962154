// Jest 30 + ts-jest in ESM mode (run with NODE_OPTIONS=--experimental-vm-modules).
// Projects: `unit` (pure modules, no docker), and the end-to-end suite (the bundle
// against a real engine and real registries started by scripts/services.sh) once per
// Docker world: `e2e-classic` (engine 20.10, the CLI's classic builder), `e2e-hosted`
// (engine 28.5.2 on the classic image store, buildx 0.29.1 with its docker driver: a
// GitHub runner), `e2e-builder` (the same with a standalone BuildKit as the current
// builder: a runner after docker/setup-buildx-action) and `e2e-containerd` (engine
// 28.5.2 with the containerd image store). The harness reads the world from
// SHIP_IMAGE_WORLD. A world left out by SHIP_IMAGE_WORLDS (or null in services.json)
// is left out of the projects.
import { readServices } from './scripts/lib/services.mjs'

const WORLDS = ['classic', 'hosted', 'builder', 'containerd']

const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] }
}

function worlds() {
  const asked = process.env.SHIP_IMAGE_WORLDS
  const wanted = asked ? asked.split(',').map((w) => w.trim()) : WORLDS
  let started
  try {
    started = readServices().worlds
  } catch {
    started = undefined // no services.json yet: the e2e projects fail with the harness's message
  }
  return WORLDS.filter((w) => wanted.includes(w) && (started === undefined || started[w] != null))
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
    ...worlds().map(e2e)
  ]
}
