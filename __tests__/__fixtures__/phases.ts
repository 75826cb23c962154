// The phases (src/phases/) for the unit tests: a real temp workspace, the workflow's
// commands captured (workflow.ts), the scripted docker (docker.ts), and plans made by
// the real parseInputs and makePlan. A test file calls usePhases() once, and its tests
// use ws, capture, fake, docker and planned():
//
//   import { docker, fake, planned, usePhases } from '../../__fixtures__/phases.js'
//   usePhases()
import { afterEach, beforeEach } from '@jest/globals'
import * as path from 'node:path'
import { Docker } from '../../src/docker/docker.js'
import type { GitEvent } from '../../src/domain/event.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import type { RawInputs } from '../../src/inputs/names.js'
import { makePlan } from '../../src/plan/plan.js'
import type { Plan, Secrets } from '../../src/plan/steps.js'
import { nodeFs } from '../../src/runner/environment.js'
import type { Environment } from '../../src/runner/environment.js'
import { instantTiming, workingDocker } from './docker.js'
import type { FakeDocker } from './docker.js'
import { env, NO_EVENT } from './environment.js'
import { inputsOf, raw } from './inputs.js'
import { PLAN_FACTS } from './plan.js'
import { removeTempDirs, tempDir, writeTree } from './temp.js'
import { captureWorkflow } from './workflow.js'
import type { Capture } from './workflow.js'

/** The image the working docker builds (of 1234 bytes). */
export const IMAGE_ID = `sha256:${'b'.repeat(64)}`

/** The workspace's Dockerfile. */
export const DOCKERFILE = 'FROM busybox\nRUN false\n'

/** Two repositories, two tags each. */
export const TWO_REPOSITORIES = { images: 'alice/app\nlocalhost:5000/app', tags: 'v1,v2' }

/** The workspace of the running test: a temp folder with DOCKERFILE. */
export let ws: string
/** What the running test printed to the workflow, and the files it wrote. */
export let capture: Capture
/** The scripted docker of the running test: one where everything works unless usePhases was given another. */
export let fake: FakeDocker
/** The Docker over `fake`, whose retries do not wait. */
export let docker: Docker

/**
 * Gives each test of the file a new workspace, capture and docker (by default a
 * working one whose build gives IMAGE_ID). The names above are ES module bindings:
 * a test file that imports them sees the running test's.
 */
export function usePhases(makeFake: () => FakeDocker = () => workingDocker(IMAGE_ID, 1234)): void {
  beforeEach(() => {
    ws = writeTree(tempDir('ws'), { Dockerfile: DOCKERFILE })
    capture = captureWorkflow()
    fake = makeFake()
    docker = new Docker(fake, undefined, instantTiming())
  })
  afterEach(() => {
    capture.restore()
    removeTempDirs()
  })
}

/** The plan parseInputs and makePlan give for these inputs in the workspace; `buildx: false` is the classic builder, `more` other facts. */
export function planned(
  overrides: Partial<RawInputs>,
  { buildx = true, more = {} }: { buildx?: boolean; more?: Partial<Environment> } = {}
): { plan: Plan; secrets: Secrets } {
  const parsed = parseInputs(raw(overrides), { ...env(), workspace: ws, fs: nodeFs, buildx, ...more })
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'))
  const facts = {
    buildx,
    buildkitEnv: false,
    workspace: ws,
    iidFile: path.join(ws, 'iid'),
    metadataFile: path.join(ws, 'metadata.json'),
    pigz: undefined,
    zstd: undefined,
    event: NO_EVENT
  }
  return makePlan(parsed.inputs, facts)
}

/** The plan of images localhost:5000/app and `overrides` on `event`, in an empty file tree (a retag or a merge reads no file). */
export function planOf(overrides: Record<string, string>, event: GitEvent = NO_EVENT): Plan {
  return makePlan(
    inputsOf(parseInputs(raw({ images: 'localhost:5000/app', ...overrides }), env({}, event))),
    PLAN_FACTS
  ).plan
}

/** An image index of two platforms, as `docker buildx imagetools inspect --raw` prints it. */
export const INDEX = JSON.stringify({
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { digest: `sha256:${'1'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
    { digest: `sha256:${'2'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } }
  ]
})
