// phases/retag.ts (through makeImage): a source image tagged as each target, pulled first when
// the engine does not have it.
import { describe, expect, it } from '@jest/globals'
import type { MadeImage } from '../../../src/phases/image.js'
import { makeImage } from '../../../src/phases/run.js'
import { failure, MANIFEST_UNKNOWN } from '../../__fixtures__/docker.js'
import { capture, docker, fake, IMAGE_ID, planned, usePhases } from '../../__fixtures__/phases.js'

usePhases()

describe('makeImage: retag', () => {
  const SOURCE = 'busybox:1.36'
  const retag = (): Promise<string> =>
    makeImage(docker, planned({ 'source-image': SOURCE, tags: 'v1,v2' }).plan, {
      passwords: [],
      buildEnv: {},
      cosignEnv: {}
    }).then((image: MadeImage) => image.id)

  it('pulls an image that is not local, then tags it as each target', async () => {
    fake.on(['image', 'inspect'], failure(`Error response from daemon: No such image: ${SOURCE}\n`), {
      stdout: `${IMAGE_ID}\n`
    })
    await expect(retag()).resolves.toBe(IMAGE_ID)
    expect(fake.commands()).toEqual([
      `image inspect --format {{.Id}} ${SOURCE}`,
      `pull ${SOURCE}`,
      `image inspect --format {{.Id}} ${SOURCE}`,
      `image tag ${SOURCE} alice/app:v1`,
      `image tag ${SOURCE} alice/app:v2`
    ])
    expect(capture.lines()).toContain(`${SOURCE} is not in the local engine; pulling it.`)
  })

  it('tags a local image without pulling it', async () => {
    fake.on(['image', 'inspect'], { stdout: `${IMAGE_ID}\n` })
    await expect(retag()).resolves.toBe(IMAGE_ID)
    expect(fake.callsOf('pull')).toEqual([])
    expect(fake.callsOf('image', 'tag')).toHaveLength(2)
  })

  it('tags nothing when the pull fails', async () => {
    fake.on(['image', 'inspect'], failure('Error response from daemon: No such image\n')).on(['pull'], MANIFEST_UNKNOWN)
    await expect(retag()).rejects.toThrow(/manifest unknown \(docker pull busybox:1\.36 failed, exit code 1\)$/)
    expect(fake.callsOf('image', 'tag')).toEqual([])
  })
})
