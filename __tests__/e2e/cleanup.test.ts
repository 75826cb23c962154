// cleanup, end to end: the local tags a run leaves, removed by name after the push,
// the source image's own tag kept however it is written, on by default on a
// self-hosted runner, and the parts a classic merge pulled removed too.
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  baseInEngine,
  docker,
  dockerStatus,
  has,
  itWhere,
  makeWorkspace,
  part,
  PLATFORMS,
  runMain,
  served,
  sha,
  tagPush,
  uniqueName
} from './harness.js'

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
      cleanup: 'true',
      // A builder outside the engine pushes without loading unless asked: then there are tags to remove.
      ...(has.remoteBuilder ? { load: 'true' } : {})
    })
    expect(result.code).toBe(0)
    expect(result.log).toMatch(/\[command\]\S+ (build|buildx build --load|buildx build --push --load) /)
    expect([tagged(`${repository}:v1`), tagged(`${repository}:v2`)]).toEqual([false, false])
    expect(await served(s.plain, repository.slice(s.plain.length + 1), 'v2')).toBe(result.outputs.digest)
  })

  it('keeps the source image’s own tag when it retags', async () => {
    const source = `${s.plain}/${uniqueName('clean-src')}:keep`
    docker(['image', 'tag', baseInEngine(), source])
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
    // A local image retagged and pushed by the engine: every world leaves its tags in the engine
    // (a builder outside the engine would push a build without loading it).
    const source = `${s.plain}/${uniqueName('clean-auto-src')}:v1`
    docker(['image', 'tag', baseInEngine(), source])
    const hosted = await runMain(
      makeWorkspace(),
      { images: repository, tags: 'hosted', 'source-image': source },
      { RUNNER_ENVIRONMENT: 'github-hosted' }
    )
    const selfHosted = await runMain(
      makeWorkspace(),
      { images: repository, tags: 'self', 'source-image': source },
      { RUNNER_ENVIRONMENT: 'self-hosted' }
    )
    expect([hosted.code, selfHosted.code]).toEqual([0, 0])
    expect([tagged(`${repository}:hosted`), tagged(`${repository}:self`)]).toEqual([true, false])
  })

  it('keeps the source image’s own tag however it is written: docker.io/<account>/app:v1 as <account>/app (issue 23: 12)', async () => {
    const account = uniqueName('account')
    const source = `docker.io/${account}/app:v1`
    docker(['image', 'tag', baseInEngine(), source])
    try {
      const result = await runMain(makeWorkspace(), {
        images: `${account}/app`,
        tags: 'v1, v2',
        'source-image': source,
        push: 'false',
        save: 'app.tar',
        cleanup: 'true'
      })
      expect(result.code).toBe(0)
      expect([tagged(source), tagged(`${account}/app:v2`)]).toEqual([true, false])
    } finally {
      if (tagged(source)) docker(['image', 'rm', source])
    }
  })

  itWhere(has.classicBuilder, 'buildx reads the parts in the registry: a merge pulls nothing')(
    'removes the parts a merge pulled to check them (issue 23: 13)',
    async () => {
      const commit = sha()
      const repository = `${s.plain}/${uniqueName('pulled-parts')}`
      const parts = await Promise.all(PLATFORMS.map((platform) => part(repository, platform, commit)))
      expect(parts.map((p) => p.code)).toEqual([0, 0])
      // The merge job runs on another runner: the parts are not in its engine until it pulls them.
      const refs = parts.map((p) => p.outputs.tags)
      docker(['image', 'rm', ...refs])
      const ws = makeWorkspace()
      fs.rmSync(path.join(ws.workspace, 'app'), { recursive: true })
      const merged = await runMain(
        ws,
        { images: repository, merge: PLATFORMS.join(', '), cleanup: 'true' },
        tagPush(ws, commit)
      )
      expect(merged.code).toBe(0)
      expect(refs.map(tagged)).toEqual([false, false])
    },
    180_000
  )
})
