// phases/merge.ts: the merge of the parts into one index against the scripted docker: every part
// checked (there, and of this commit) before anything is made.
import { describe, expect, it } from '@jest/globals'
import type { GitEvent } from '../../../src/domain/event.js'
import type { Plan } from '../../../src/plan/steps.js'
import { createdDigest, mergeParts } from '../../../src/phases/merge.js'
import { digestOf, failure, FakeDocker } from '../../__fixtures__/docker.js'
import { NO_EVENT } from '../../__fixtures__/environment.js'
import { docker, fake, INDEX, planOf, usePhases } from '../../__fixtures__/phases.js'
import { PARTS_SHA } from '../../__fixtures__/event.js'

usePhases(() => new FakeDocker())

describe('mergeParts', () => {
  const event: GitEvent = { ...NO_EVENT, name: 'push', ref: 'refs/heads/main', sha: PARTS_SHA }
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
    fake.on(['buildx', 'imagetools', 'inspect', '--format'], labels(PARTS_SHA))
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
      labels(PARTS_SHA, 'linux/arm64')
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
      `The merge of commit abc1234 cannot be made, and no tag was moved: linux/amd64: localhost:5000/app:sha-abc1234-linux-amd64 is of commit ${'0'.repeat(40)}, not ${PARTS_SHA}; linux/arm64: there is no part localhost:5000/app:sha-abc1234-linux-arm64 (ERROR: not found); did that job's merge: part step run for this commit?.`
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
