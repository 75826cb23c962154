// cleanup, end to end: the local tags a run leaves, removed by name after the push,
// the source image's own tag kept, and on by default on a self-hosted runner.
import { describe, expect, it } from '@jest/globals'
import { setup, docker, dockerStatus, makeWorkspace, runMain, served, uniqueName } from './harness.js'

const { s } = setup()

describe('cleanup', () => {
  function tagged(ref: string): boolean {
    return dockerStatus(['image', 'inspect', ref]) === 0
  }

  it('removes every tag of the run after the push, by name', async () => {
    const repository = `${s.plain}/${uniqueName('clean')}`
    const result = await runMain(makeWorkspace(), {
      images: repository,
      tags: 'v1, v2',
      context: 'app',
      cleanup: 'true'
    })
    expect(result.code).toBe(0)
    expect([tagged(`${repository}:v1`), tagged(`${repository}:v2`)]).toEqual([false, false])
    expect(await served(s.plain, repository.slice(s.plain.length + 1), 'v2')).toBe(result.outputs.digest)
  })

  it('keeps the source image’s own tag when it retags', async () => {
    const source = `${s.plain}/${uniqueName('clean-src')}:keep`
    docker(['image', 'tag', s.baseImage, source])
    const repository = `${s.plain}/${uniqueName('clean-dst')}`
    const result = await runMain(makeWorkspace(), {
      images: repository,
      tags: 'v1',
      'source-image': source,
      cleanup: 'true'
    })
    expect(result.code).toBe(0)
    expect(tagged(source)).toBe(true)
    expect(tagged(`${repository}:v1`)).toBe(false)
    expect(tagged(s.baseImage)).toBe(true)
  })

  it('is on by default on a self-hosted runner, and off on a GitHub-hosted one', async () => {
    const repository = `${s.plain}/${uniqueName('clean-auto')}`
    const hosted = await runMain(
      makeWorkspace(),
      { images: repository, tags: 'hosted', context: 'app' },
      {
        RUNNER_ENVIRONMENT: 'github-hosted'
      }
    )
    const selfHosted = await runMain(
      makeWorkspace(),
      { images: repository, tags: 'self', context: 'app' },
      {
        RUNNER_ENVIRONMENT: 'self-hosted'
      }
    )
    expect([hosted.code, selfHosted.code]).toEqual([0, 0])
    expect([tagged(`${repository}:hosted`), tagged(`${repository}:self`)]).toEqual([true, false])
  })
})
