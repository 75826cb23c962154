// A tarball as the source, end to end: saved by one job (.tar.zst, .tar.gz) and pushed
// by another with source-image, on a runner of its own; a tarball of several images
// or a missing one refused; a tarball saved inside the build context; a damaged
// tarball, and a tarball whose own names would re-point local tags (issue 23).
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  baseInEngine,
  commands,
  docker,
  dockerStatus,
  expectNoCredentials,
  fetchManifest,
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
    docker(['image', 'tag', baseInEngine(), a])
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

describe('a damaged .tar.zst source (issue 23: 7)', () => {
  // What an artifact cut short in its upload, or altered on the way, looks like.
  for (const damage of ['truncated', 'corrupt'] as const) {
    it(`is one plain ::error:: with a summary, no crash, when the file is ${damage}`, async () => {
      const saved = await runMain(makeWorkspace(), {
        images: `${s.plain}/${uniqueName('damaged')}`,
        tags: 'v1',
        context: 'app',
        push: 'false',
        save: 'image.tar.zst'
      })
      expect(saved.code).toBe(0)
      const bytes = fs.readFileSync(saved.outputs.tarball)
      const ws = makeWorkspace()
      const file = path.join(ws.workspace, 'image.tar.zst')
      if (damage === 'truncated') fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)))
      else {
        const altered = Buffer.from(bytes)
        altered.fill(0x55, Math.floor(altered.length / 3), Math.floor(altered.length / 3) + 4096)
        fs.writeFileSync(file, altered)
      }
      const name = uniqueName('from-damaged')
      const result = await runMain(ws, { images: `${s.plain}/${name}`, tags: 'v1', 'source-image': 'image.tar.zst' })
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        expect.stringMatching(/^::error::Loading \S+image\.tar\.zst failed, and nothing of it was loaded: .+ Fix: /)
      ])
      // No unhandled rejection: no stack trace, and the summary says where it failed.
      expect(result.log).not.toMatch(/\n\s+at /)
      expect(result.log).not.toMatch(/unhandled/i)
      expect(fs.readFileSync(ws.summaryFile, 'utf8')).toMatch(/: failed in the \w+ phase, nothing pushed\n/)
      expect((await fetchManifest(s.plain, name, 'v1')).status).toBe(404)
    })
  }
})

describe('a tarball source’s own names (issue 23: 8)', () => {
  /** The image ID a local reference names, or undefined. */
  function idOf(ref: string): string | undefined {
    return dockerStatus(['image', 'inspect', ref]) === 0
      ? docker(['image', 'inspect', '--format', '{{.Id}}', ref])
      : undefined
  }

  it('re-point no local tag: a name the tarball gives its image keeps the image it named in the engine', async () => {
    const ws = makeWorkspace()
    const built = await runMain(ws, {
      images: `${s.plain}/${uniqueName('named')}`,
      tags: 'v1',
      context: 'app',
      push: 'false'
    })
    expect(built.code).toBe(0)
    // The tarball names its image as the engine names another one (a base image's tag, say).
    const name = `ship-image-e2e/${uniqueName('local-base')}:v1`
    docker(['image', 'tag', built.outputs.tags, name])
    docker(['image', 'save', '-o', path.join(ws.workspace, 'named.tar'), name])
    docker(['image', 'tag', baseInEngine(), name])
    const base = idOf(s.baseImage)
    try {
      const result = await runMain(ws, {
        images: `${s.plain}/${uniqueName('from-named')}`,
        tags: 'v1',
        'source-image': 'named.tar'
      })
      expect(result.code).toBe(0)
      expect(result.outputs.imageid).toBe(built.outputs.imageid)
      expect(idOf(name)).toBe(base)
    } finally {
      docker(['image', 'rm', name])
    }
  })

  it('load nothing of a tarball of two images before refusing it', async () => {
    const ws = makeWorkspace()
    const images: { ref: string; id: string }[] = []
    for (const which of ['first', 'second']) {
      const built = await runMain(makeWorkspace(), {
        images: `${s.plain}/${uniqueName(`two-${which}`)}`,
        tags: 'v1',
        context: 'app',
        push: 'false'
      })
      expect(built.code).toBe(0)
      images.push({ ref: built.outputs.tags, id: built.outputs.imageid })
    }
    docker(['image', 'save', '-o', path.join(ws.workspace, 'two.tar'), ...images.map((i) => i.ref)])
    docker(['image', 'rm', ...images.map((i) => i.ref)])
    expect(images.map((i) => idOf(i.id))).toEqual([undefined, undefined])
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('two')}`, 'source-image': 'two.tar' })
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringMatching(/two\.tar holds 2 images/)])
    // Neither image is in the engine, under its name or its ID.
    expect(images.map((i) => [idOf(i.ref), idOf(i.id)])).toEqual([
      [undefined, undefined],
      [undefined, undefined]
    ])
  })

  it('leave none of a thousand names a tarball gives its image, and load it in seconds', async () => {
    const ws = makeWorkspace()
    const built = await runMain(ws, {
      images: `${s.plain}/${uniqueName('many')}`,
      tags: 'v1',
      context: 'app',
      push: 'false'
    })
    expect(built.code).toBe(0)
    // docker image save's tarball, given 1,000 names of one repository: in manifest.json (what the classic
    // image store loads) and in index.json, where there is one (what the containerd image store loads).
    const many = `ship-image-e2e/${uniqueName('many-names')}`
    const unpacked = path.join(ws.root, 'unpacked')
    fs.mkdirSync(unpacked)
    docker(['image', 'save', '-o', path.join(ws.root, 'one.tar'), built.outputs.tags])
    expect(spawnSync('tar', ['-xf', path.join(ws.root, 'one.tar'), '-C', unpacked]).status).toBe(0)
    const manifestFile = path.join(unpacked, 'manifest.json')
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { RepoTags?: string[] }[]
    manifest[0].RepoTags = Array.from({ length: 1000 }, (_, i) => `${many}:t${i}`)
    fs.writeFileSync(manifestFile, JSON.stringify(manifest))
    const indexFile = path.join(unpacked, 'index.json')
    if (fs.existsSync(indexFile)) {
      const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { manifests: { annotations?: object }[] }
      index.manifests = Array.from({ length: 1000 }, (_, i) => ({
        ...index.manifests[0],
        annotations: {
          'io.containerd.image.name': `docker.io/${many}:t${i}`,
          'org.opencontainers.image.ref.name': `t${i}`
        }
      }))
      fs.writeFileSync(indexFile, JSON.stringify(index))
    }
    const tarball = path.join(ws.workspace, 'many.tar')
    expect(spawnSync('tar', ['-cf', tarball, '-C', unpacked, '.']).status).toBe(0)
    const left = (): string[] =>
      docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', many])
        .split('\n')
        .filter((l) => l !== '')
    try {
      const started = Date.now()
      const result = await runMain(ws, {
        images: `${s.plain}/${uniqueName('from-many')}`,
        tags: 'v1',
        'source-image': 'many.tar'
      })
      expect(result.code).toBe(0)
      expect(result.outputs.imageid).toBe(built.outputs.imageid)
      // (An index.json of 1,000 entries of one image took 20 s in the containerd store, the image imported once per entry.)
      expect(Date.now() - started).toBeLessThan(15_000)
      expect(left()).toEqual([])
    } finally {
      // What an earlier build of the action left (one docker image rm per 200 names).
      const names = left()
      for (let i = 0; i < names.length; i += 200) docker(['image', 'rm', ...names.slice(i, i + 200)])
    }
  }, 180_000)
})
