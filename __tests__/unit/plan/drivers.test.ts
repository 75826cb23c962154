// How the builder's driver shapes the plan: a builder outside the engine
// (setup-buildx-action's docker-container, a remote one) pushes straight from
// BuildKit, once, and loads into the engine only when something needs the image
// there; the engine's own builder (the docker driver) loads and docker pushes; and
// several platforms on the docker driver need the containerd image store.
import { describe, expect, it, test } from '@jest/globals'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import { makePlan } from '../../../src/plan/plan.js'
import { buildArgs } from '../../../src/plan/render.js'
import type { Plan } from '../../../src/plan/steps.js'
import type { Environment } from '../../../src/runner/environment.js'
import { env } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import { inputsOf, onlyProblem, raw } from '../../__fixtures__/inputs.js'

/** The environment of a runner whose current builder has `driver` (docker: none made current). */
function on(driver: string, more: Partial<Environment> = {}): Environment {
  const drivers: Record<string, string> = driver === 'docker' ? {} : { 'builder-1': driver }
  return {
    ...env(),
    builders: { store: { current: driver === 'docker' ? '' : 'builder-1', drivers }, named: '' },
    ...more
  }
}

const parseOn = (environment: Environment, overrides: Partial<RawInputs> = {}): ParseResult =>
  parseInputs(raw({ images: 'ghcr.io/org/app\nalice/app', tags: 'v1', ...overrides }), environment)

function planOn(environment: Environment, overrides: Partial<RawInputs> = {}): Plan {
  return makePlan(inputsOf(parseOn(environment, overrides)), PLAN_FACTS).plan
}

const buildOf = (plan: Plan) => {
  if (plan.image.kind !== 'build') throw new Error('a build')
  return plan.image
}

describe('a builder outside the engine', () => {
  test.each(['docker-container', 'remote', 'kubernetes'])(
    '(%s) pushes every tag from BuildKit, in one build',
    (driver) => {
      const plan = planOn(on(driver))
      const step = buildOf(plan)
      expect(step.exports).toEqual(['push'])
      expect(step.push).toEqual({ registries: ['ghcr.io', 'docker.io'] })
      expect(buildArgs(step).slice(0, 4)).toEqual(['buildx', 'build', '--push', '--provenance=false'])
      expect(plan.pushes).toEqual([])
    }
  )

  it('loads it into the engine as well for a save, and for the load input', () => {
    const saved = planOn(on('docker-container'), { save: 'image.tar' })
    expect(buildOf(saved).exports).toEqual(['push', 'load'])
    expect(buildOf(planOn(on('remote'), { load: 'true' })).exports).toEqual(['push', 'load'])
  })

  it('removes no local tag afterwards unless it loaded them', () => {
    const selfHosted = { selfHosted: true }
    expect(planOn(on('docker-container', selfHosted)).cleanup).toEqual([])
    expect(planOn(on('docker-container', selfHosted), { load: 'true' }).cleanup).toEqual([
      'ghcr.io/org/app:v1',
      'alice/app:v1'
    ])
  })

  it('is the builder the builder input names, whatever is current', () => {
    const environment = on('docker')
    environment.builders.store.drivers = { k8s: 'kubernetes' }
    expect(buildOf(planOn(environment, { builder: 'k8s' })).exports).toEqual(['push'])
    expect(buildOf(planOn({ ...environment, builders: { ...environment.builders, named: 'k8s' } })).exports).toEqual([
      'push'
    ])
  })

  it('loads without a push, as before (one platform)', () => {
    expect(buildOf(planOn(on('docker-container'), { push: 'false' })).exports).toEqual(['load'])
  })
})

describe("the engine's own builder (the docker driver)", () => {
  it('loads one platform and docker pushes every tag', () => {
    const plan = planOn(on('docker'))
    expect(buildOf(plan).exports).toEqual(['load'])
    expect(plan.pushes.flat().map((t) => t.ref)).toEqual(['ghcr.io/org/app:v1', 'alice/app:v1'])
  })

  it('never loads and pushes in one build (both exporters would write the image into the engine)', () => {
    expect(buildOf(planOn(on('docker'), { provenance: 'true' })).exports).toEqual(['push'])
  })

  const two = { platforms: 'linux/amd64,linux/arm64' }

  it('refuses several platforms on the classic image store, before any build, with the fix', () => {
    expect(onlyProblem(parseOn(on('docker', { containerdStore: false }), two), 'platforms')).toBe(
      `Input 'platforms': 2 platforms make one image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store ("Multi-platform build is not supported for the docker driver"). Fix: add a docker/setup-buildx-action step before this one, whose builder builds several platforms (with docker/setup-qemu-action for RUN steps of other architectures), or turn on the containerd image store, or give one platform.`
    )
  })

  it('builds several platforms on the containerd image store, pushed by buildx', () => {
    expect(buildOf(planOn(on('docker', { containerdStore: true }), two)).exports).toEqual(['push'])
  })

  it('leaves the question open until the engine was asked (containerdStore undefined)', () => {
    expect(parseOn(on('docker'), two).ok).toBe(true)
  })
})
