// The phases (src/phases/) for the unit tests: a real temp workspace, the workflow's
// commands captured (workflow.ts), the scripted docker (docker.ts), and plans made by
// the real parseInputs and makePlan. A test file takes a fresh set before each test:
//
//   let fake: FakeDocker
//   beforeEach(() => {
//     ;({ fake, docker, planned } = startPhases())
//   })
//   afterEach(stopPhases)
import * as path from 'node:path'
import { Docker } from '../../src/docker/docker.js'
import type { GitEvent } from '../../src/domain/event.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import type { RawInputs } from '../../src/inputs/names.js'
import { makePlan } from '../../src/plan/plan.js'
import type { Plan, Secrets } from '../../src/plan/steps.js'
import { nodeFs } from '../../src/runner/environment.js'
import { FakeDocker, instantTiming, workingDocker } from './docker.js'
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

export interface Phases {
  /** The workspace: a temp folder with DOCKERFILE. */
  ws: string
  capture: Capture
  /** The scripted docker: one where everything works unless startPhases was given another. */
  fake: FakeDocker
  /** Retries that do not wait. */
  timing: ReturnType<typeof instantTiming>
  docker: Docker
  /** The plan parseInputs and makePlan give for these inputs in the workspace; `buildx: false` is the classic builder. */
  planned(overrides: Partial<RawInputs>, options?: { buildx?: boolean }): { plan: Plan; secrets: Secrets }
}

let current: Phases | undefined

/** For beforeEach: a new workspace, capture and docker over `fake` (a working docker that builds IMAGE_ID by default). */
export function startPhases(fake?: FakeDocker): Phases {
  const ws = writeTree(tempDir('ws'), { Dockerfile: DOCKERFILE })
  const capture = captureWorkflow()
  const timing = instantTiming()
  const scripted = fake ?? workingDocker(IMAGE_ID, 1234)
  const docker = new Docker(scripted, undefined, timing)
  const planned = (overrides: Partial<RawInputs>, { buildx = true } = {}): { plan: Plan; secrets: Secrets } => {
    const parsed = parseInputs(raw(overrides), { ...env(), workspace: ws, fs: nodeFs, buildx })
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'))
    const facts = {
      buildx,
      buildkitEnv: false,
      workspace: ws,
      iidFile: path.join(ws, 'iid'),
      metadataFile: path.join(ws, 'metadata.json'),
      pigz: undefined,
      zstd: undefined
    }
    return makePlan(parsed.inputs, facts)
  }
  current = { ws, capture, fake: scripted, timing, docker, planned }
  return current
}

/** For afterEach: the capture ended and the temp folders removed. */
export function stopPhases(): void {
  current?.capture.restore()
  current = undefined
  removeTempDirs()
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
