// phases/registry.ts: a promote copied in the registry against the scripted docker: an index as
// it is, one manifest only where buildx can keep it, and a source no registry serves left to the engine.
import { describe, expect, it } from '@jest/globals'
import type { Plan } from '../../../src/plan/steps.js'
import { copyInRegistry } from '../../../src/phases/registry.js'
import { digestOf, FakeDocker, MANIFEST_UNKNOWN } from '../../__fixtures__/docker.js'
import { capture, docker, fake, INDEX, planOf, usePhases } from '../../__fixtures__/phases.js'

usePhases(() => new FakeDocker())

const MANIFEST = JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {} })

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
