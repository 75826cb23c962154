// phases/registry.ts and phases/merge.ts against the fake docker runner: a promote copied in the
// registry (an index as it is, one manifest only where buildx can keep it), and
// the merge's check of its parts before anything is made.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { Docker } from '../../src/docker/docker.js'
import type { GitEvent } from '../../src/domain/event.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { makePlan } from '../../src/plan/plan.js'
import type { Plan } from '../../src/plan/steps.js'
import { createdDigest, mergeParts } from '../../src/phases/merge.js'
import { copyInRegistry } from '../../src/phases/registry.js'
import { failure, FakeDocker, instantTiming, MANIFEST_UNKNOWN } from '../__fixtures__/docker.js'
import { captureWorkflow } from '../__fixtures__/workflow.js'
import type { Capture } from '../__fixtures__/workflow.js'
import { env, NO_EVENT, PLAN_FACTS, raw } from './fakes.js'
import { inputsOf } from './results.js'

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
  /** What imagetools inspect --format '{{json .Image}}' gives of a part: its config, for the part's own platform. */
  const labels = (revision: string, platform?: string) => (call: { args: string[] }) => {
    const [os, architecture] = (platform ?? call.args.at(-1)!.split('-').slice(-2).join('/')).split('/')
    return {
      stdout: JSON.stringify({
        os,
        architecture,
        config: { Labels: { 'org.opencontainers.image.revision': revision } }
      })
    }
  }
  /** buildx's progress of an imagetools create: the digest it pushed to each reference. */
  const created = (digest: string) => (call: { args: string[] }) => ({
    stderr: call.args
      .flatMap((a, i) => (call.args[i - 1] === '--tag' ? [`#1 0.020 pushing ${digest} to ${a}`] : []))
      .join('\n')
  })
  const merge = (plan: Plan) => {
    if (plan.image.kind !== 'merge') throw new Error('a merge')
    return mergeParts(docker, plan, plan.image, () => undefined)
  }

  it('checks every part, then makes the index and reads it back by the digest it pushed', async () => {
    fake.on(['buildx', 'imagetools', 'inspect', '--format'], labels(SHA))
    fake.on(['buildx', 'imagetools', 'inspect', '--raw'], { stdout: INDEX })
    fake.on(['buildx', 'imagetools', 'create'], created(digestOf(INDEX)))
    const result = await merge(planOf({ merge: 'linux/amd64, linux/arm64', tags: 'main' }, event))
    // Never by tag: another merge may have moved it meanwhile (issue 23).
    expect(fake.callsOf('buildx', 'imagetools', 'inspect', '--raw').map((c) => c.args.at(-1))).toEqual([
      `localhost:5000/app@${digestOf(INDEX)}`
    ])
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

  it('makes nothing when a part is another platform, or an index of several (issue 23)', async () => {
    fake.on(
      (args) => args.includes('--format') && args.at(-1)?.endsWith('linux-amd64') === true,
      labels(SHA, 'linux/arm64')
    )
    fake.on((args) => args.includes('--format') && args.at(-1)?.endsWith('linux-arm64') === true, {
      stdout: JSON.stringify({
        'linux/arm64': { os: 'linux', architecture: 'arm64', config: {} },
        'linux/amd64': { os: 'linux', architecture: 'amd64', config: {} }
      })
    })
    await expect(merge(planOf({ merge: 'linux/amd64, linux/arm64', tags: 'main' }, event))).rejects.toThrow(
      'The merge of commit abc1234 cannot be made, and no tag was moved: linux/amd64: localhost:5000/app:sha-abc1234-linux-amd64 is an image for linux/arm64, not one image for linux/amd64; linux/arm64: localhost:5000/app:sha-abc1234-linux-arm64 is an index of linux/arm64, linux/amd64, not one image for linux/arm64.'
    )
    expect(fake.callsOf('buildx', 'imagetools', 'create')).toEqual([])
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

describe('createdDigest: what imagetools create says it pushed', () => {
  const D = `sha256:${'d'.repeat(64)}`
  it('reads the digest pushed to that reference from buildx 0.29 progress', () => {
    const progress = [
      '#1 [internal] pushing localhost:5000/app:main',
      `#1 0.001 copying sha256:${'c'.repeat(64)} from localhost:5000/app:p1 to localhost:5000/app:main`,
      `#1 0.020 pushing ${D} to localhost:5000/app:main`,
      `#1 0.021 pushing ${D} to localhost:5000/app:main-2`,
      '#1 DONE 0.0s'
    ].join('\n')
    expect(createdDigest(progress, 'localhost:5000/app:main')).toBe(D)
    expect(createdDigest(progress, 'localhost:5000/app:mai')).toBeUndefined()
    expect(createdDigest('', 'localhost:5000/app:main')).toBeUndefined()
  })
})
