// phases/merge.ts: the merge of the parts into one index against the scripted docker: every part
// checked (there, and of this commit) before anything is made.
import { describe, expect, it } from '@jest/globals'
import type { GitEvent } from '../../../src/domain/event.js'
import type { Plan } from '../../../src/plan/steps.js'
import { mergeParts } from '../../../src/phases/merge.js'
import { digestOf, failure, FakeDocker } from '../../__fixtures__/docker.js'
import { NO_EVENT } from '../../__fixtures__/environment.js'
import { docker, fake, INDEX, planOf, usePhases } from '../../__fixtures__/phases.js'
import { PARTS_SHA } from '../../__fixtures__/event.js'

usePhases(() => new FakeDocker())

describe('mergeParts', () => {
  const event: GitEvent = { ...NO_EVENT, name: 'push', ref: 'refs/heads/main', sha: PARTS_SHA }
  const labels = (revision: string) => ({
    stdout: JSON.stringify({ config: { Labels: { 'org.opencontainers.image.revision': revision } } })
  })
  const merge = (plan: Plan) => {
    if (plan.image.kind !== 'merge') throw new Error('a merge')
    return mergeParts(docker, plan, plan.image, () => undefined)
  }

  it('checks every part, then makes the index and reads its digest back', async () => {
    fake.on(['buildx', 'imagetools', 'inspect', '--format'], labels(PARTS_SHA))
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
      `The merge of commit abc1234 cannot be made, and no tag was moved: linux/amd64: localhost:5000/app:sha-abc1234-linux-amd64 is of commit ${'0'.repeat(40)}, not ${PARTS_SHA}; linux/arm64: there is no part localhost:5000/app:sha-abc1234-linux-arm64 (ERROR: not found); did that job's merge: part step run for this commit?.`
    )
    expect(fake.callsOf('buildx', 'imagetools', 'create')).toEqual([])
  })
})
