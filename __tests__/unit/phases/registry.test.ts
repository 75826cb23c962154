// phases/registry.ts and phases/merge.ts against the fake docker runner: a promote copied in the
// registry (an index as it is, one manifest only where buildx can keep it), and
// the merge's check of its parts before anything is made.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { Docker } from '../../../src/docker/docker.js'
import type { GitEvent } from '../../../src/domain/event.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import { makePlan } from '../../../src/plan/plan.js'
import type { Plan } from '../../../src/plan/steps.js'
import { mergeParts } from '../../../src/phases/merge.js'
import { copyInRegistry } from '../../../src/phases/registry.js'
import { failure, FakeDocker, instantTiming, MANIFEST_UNKNOWN } from '../../__fixtures__/docker.js'
import { captureWorkflow } from '../../__fixtures__/workflow.js'
import type { Capture } from '../../__fixtures__/workflow.js'
import { env, NO_EVENT } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import { inputsOf, raw } from '../../__fixtures__/inputs.js'

const SHA = 'abc1234def5678abc1234def5678abc1234def56'
const FACTS = PLAN_FACTS
const INDEX = JSON.stringify({
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { digest: `sha256:${'1'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
    { digest: `sha256:${'2'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } }
  ]
})
const MANIFEST = JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {} })
const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`

let fake: FakeDocker
let docker: Docker
let capture: Capture
beforeEach(() => {
  fake = new FakeDocker()
  docker = new Docker(fake, undefined, instantTiming())
  capture = captureWorkflow()
})
afterEach(() => capture.restore())

function planOf(overrides: Record<string, string>, event: GitEvent = NO_EVENT): Plan {
  return makePlan(inputsOf(parseInputs(raw({ images: 'localhost:5000/app', ...overrides }), env({}, event))), FACTS)
    .plan
}

describe('copyInRegistry', () => {
  const promote = (plan: Plan) => {
    if (plan.image.kind !== 'retag' || !plan.image.copy) throw new Error('a registry-side retag')
    return copyInRegistry(docker, plan, plan.image, () => undefined)
  }

  it('copies an index as it is, and gives its digest and platforms', async () => {
    fake.on(['buildx', 'imagetools', 'inspect', '--raw'], { stdout: INDEX })
    const plan = planOf({ 'source-image': 'localhost:5000/app:rc', tags: 'stable' })
    const result = await promote(plan)
    expect(fake.commands()).toEqual([
      'buildx imagetools inspect --raw localhost:5000/app:rc',
      'buildx imagetools create --tag localhost:5000/app:stable localhost:5000/app:rc',
      `buildx imagetools inspect --raw localhost:5000/app@${digestOf(INDEX)}`
    ])
    expect(result?.pushed.map((p) => [p.target.ref, p.digest])).toEqual([
      ['localhost:5000/app:stable', digestOf(INDEX)]
    ])
    expect(result?.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64'])
  })

  it('copies one manifest as it is where buildx can (--prefer-index=false), else leaves it to the engine', async () => {
    fake.on(['buildx', 'imagetools', 'inspect'], { stdout: MANIFEST })
    const plan = planOf({ 'source-image': 'localhost:5000/app:rc', tags: 'stable' })
    fake.on(['buildx', 'imagetools', 'create', '--help'], { stdout: 'Options:\n  -t, --tag stringArray\n' })
    expect(await promote(plan)).toBeUndefined()
    expect(fake.callsOf('buildx', 'imagetools', 'create', '--tag')).toEqual([])
    fake.on(['buildx', 'imagetools', 'create', '--help'], {
      stdout: '      --prefer-index   When only a single source…\n'
    })
    const copied = await promote(plan)
    if (!copied) throw new Error(fake.commands().join('\n') + '\n' + capture.lines().join('\n'))
    expect(copied).toMatchObject({ pushed: [{ digest: digestOf(MANIFEST) }] })
    expect(fake.callsOf('buildx', 'imagetools', 'create', '--prefer-index=false')).toHaveLength(1)
  })

  it('leaves a source that no registry serves to the engine', async () => {
    fake.on(['buildx', 'imagetools', 'inspect'], MANIFEST_UNKNOWN)
    expect(await promote(planOf({ 'source-image': 'app-only-here:v1' }))).toBeUndefined()
    expect(capture.lines()).toContain(
      'app-only-here:v1 is not read from a registry (Error response from daemon: manifest for localhost:34673/exp/pullsrc:nope not found: manifest unknown); promoting it through the local engine.'
    )
  })
})

describe('mergeParts', () => {
  const event: GitEvent = { ...NO_EVENT, name: 'push', ref: 'refs/heads/main', sha: SHA }
  const labels = (revision: string) => ({
    stdout: JSON.stringify({ config: { Labels: { 'org.opencontainers.image.revision': revision } } })
  })
  const merge = (plan: Plan) => {
    if (plan.image.kind !== 'merge') throw new Error('a merge')
    return mergeParts(docker, plan, plan.image, () => undefined)
  }

  it('checks every part, then makes the index and reads its digest back', async () => {
    fake.on(['buildx', 'imagetools', 'inspect', '--format'], labels(SHA))
    fake.on(['buildx', 'imagetools', 'inspect', '--raw'], { stdout: INDEX })
    const result = await merge(planOf({ merge: 'linux/amd64, linux/arm64', tags: 'main' }, event))
    expect(fake.callsOf('buildx', 'imagetools', 'create').map((c) => c.args.slice(3))).toEqual([
      [
        '--tag',
        'localhost:5000/app:main',
        'localhost:5000/app:sha-abc1234-linux-amd64',
        'localhost:5000/app:sha-abc1234-linux-arm64'
      ]
    ])
    expect(result.pushed.map((p) => p.digest)).toEqual([digestOf(INDEX)])
  })

  it('makes nothing when a part is missing or of another commit, and names each platform', async () => {
    fake.on(
      (args) => args.includes('--format') && args.at(-1)?.endsWith('linux-amd64') === true,
      labels('0'.repeat(40))
    )
    fake.on(
      (args) => args.includes('--format') && args.at(-1)?.endsWith('linux-arm64') === true,
      failure('ERROR: not found\n')
    )
    await expect(merge(planOf({ merge: 'linux/amd64, linux/arm64', tags: 'main' }, event))).rejects.toThrow(
      `The merge of commit abc1234 cannot be made, and no tag was moved: linux/amd64: localhost:5000/app:sha-abc1234-linux-amd64 is of commit ${'0'.repeat(40)}, not ${SHA}; linux/arm64: there is no part localhost:5000/app:sha-abc1234-linux-arm64 (ERROR: not found); did that job's merge: part step run for this commit?.`
    )
    expect(fake.callsOf('buildx', 'imagetools', 'create')).toEqual([])
  })
})
