// A tarball as the source, end to end: saved by one job (.tar.zst, .tar.gz) and pushed
// by another with source-image, on a runner of its own; a tarball of several images
// or a missing one refused; a tarball saved inside the build context.
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  docker,
  dockerStatus,
  expectNoCredentials,
  makeWorkspace,
  runMain,
  served,
  sha256File,
  uniqueName
} from './harness.js'

const { s, login } = setup()

describe('a tarball from one job, pushed by another', () => {
  for (const name of ['image.tar.zst', 'image.tar.gz']) {
    it(`pushes the ${name} job 1 saved: job 2 has its own HOME, an empty workspace and no image in the engine`, async () => {
      // Job 1 builds and saves, pushing nothing.
      const build = makeWorkspace()
      const built = `${s.plain}/${uniqueName('artifact')}`
      const saved = await runMain(build, { images: built, tags: 'v1', context: 'app', push: 'false', save: name })
      expect(saved.code).toBe(0)
      const tarball = saved.outputs.tarball
      expect(sha256File(tarball)).toBe(saved.outputs['tarball-digest'])
      // The artifact moves to another runner; the image is not in the engine there.
      const push = makeWorkspace()
      fs.rmSync(path.join(push.workspace, 'app'), { recursive: true })
      fs.copyFileSync(tarball, path.join(push.workspace, name))
      docker(['image', 'rm', `${built}:v1`])
      expect(dockerStatus(['image', 'inspect', `${built}:v1`])).not.toBe(0)
      // Job 2 pushes it under its own name, logged in to the TLS registry.
      const repository = `${s.tls}/${uniqueName('from-tarball')}`
      const result = await runMain(push, { images: repository, tags: 'v1, latest', 'source-image': name, ...login })
      expect(result.code).toBe(0)
      expect(result.log).toContain(`Loading ${path.join(push.workspace, name)}`)
      const path_ = repository.slice(s.tls.length + 1)
      expect(await served(s.tls, path_, 'v1')).toBe(result.outputs.digest)
      expect(await served(s.tls, path_, 'latest')).toBe(result.outputs.digest)
      expect(result.outputs.refs).toBe(`${repository}@${result.outputs.digest}`)
      expectNoCredentials(push, result)
    })
  }

  it('refuses a tarball of several images, naming them', async () => {
    const ws = makeWorkspace()
    const a = `${s.plain}/${uniqueName('two-a')}:v1`
    const b = `${s.plain}/${uniqueName('two-b')}:v1`
    docker(['image', 'tag', s.baseImage, a])
    const other = await runMain(makeWorkspace(), { images: b.slice(0, -3), tags: 'v1', context: 'app', push: 'false' })
    expect(other.code).toBe(0)
    docker(['image', 'save', '-o', path.join(ws.workspace, 'two.tar'), a, b])
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('two')}`, 'source-image': 'two.tar' })
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      expect.stringMatching(/^::error::Input 'source-image': the tarball \S+two\.tar holds 2 images \(/)
    ])
  })

  it('says before any docker command that a tarball given as source-image is missing', async () => {
    const result = await runMain(makeWorkspace(), { images: `${s.plain}/x`, 'source-image': 'missing.tar.zst' })
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      expect.stringMatching(/^::error::Input 'source-image': the tarball 'missing\.tar\.zst' does not exist/)
    ])
  })
})

describe('a tarball inside the build context', () => {
  it('is warned about, unless .dockerignore keeps it out of the context', async () => {
    const warned = await runMain(makeWorkspace(), {
      images: `${s.plain}/${uniqueName('inctx')}`,
      context: 'app',
      save: 'app/out/image.tar',
      'dry-run': 'true'
    })
    expect(commands(warned.log, 'warning')).toEqual([
      expect.stringContaining('The tarball out/image.tar is inside the build context')
    ])
    const ws = makeWorkspace()
    fs.writeFileSync(path.join(ws.workspace, 'app/.dockerignore'), 'out/\n')
    const ignored = await runMain(ws, {
      images: `${s.plain}/${uniqueName('inctx')}`,
      context: 'app',
      save: 'app/out/image.tar',
      'dry-run': 'true'
    })
    expect(commands(ignored.log, 'warning')).toEqual([])
  })
})
