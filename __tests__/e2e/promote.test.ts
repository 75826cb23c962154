// Promote: an existing image (source-image) tagged and pushed without a build, from
// the engine or a registry; an index copied registry-side keeping its digest and
// platforms (buildx), or through the engine saying the digest changed (classic); a
// registry-side promote that fails after one repository moved says which (issue 23: 6).
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  baseInEngine,
  plainFaultProxy,
  commands,
  docker,
  expectRegistryDigests,
  fetchManifest,
  has,
  itWhere,
  literally,
  makeWorkspace,
  mergeRun,
  part,
  PLATFORMS,
  platformsOf,
  runMain,
  sha,
  uniqueName
} from './harness.js'

const { s, login, auth } = setup()

describe('retag an existing image (source-image)', () => {
  it('tags and pushes a local image without building', async () => {
    const ws = makeWorkspace()
    const source = `${uniqueName('local')}:built`
    docker(['build', '--quiet', '--tag', source, path.join(ws.workspace, 'app')])
    const sourceId = docker(['image', 'inspect', '--format', '{{.Id}}', source])
    const repository = `${s.plain}/${uniqueName('promoted')}`
    const result = await runMain(ws, {
      images: repository,
      tags: 'stable',
      'source-image': source,
      labels: 'ignored=yes'
    })
    expect(result.code).toBe(0)
    expect(result.log).not.toMatch(/\[command\]\S+ (buildx )?build/)
    expect(commands(result.log, 'warning').join('\n')).toContain('labels is ignored')
    expect(result.outputs.imageid).toBe(sourceId)
    await expectRegistryDigests(result, [repository], ['stable'])
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:stable`])).toBe(sourceId)
  })

  it('takes the source image from a registry when it is not local', async () => {
    const ws = makeWorkspace()
    const first = `${s.tls}/${uniqueName('origin')}`
    const pushed = await runMain(ws, { images: first, tags: 'sha-1234567', context: 'app', ...login })
    expect(pushed.code).toBe(0)
    // (A builder outside the engine pushed it without loading it: it is not local already.)
    if (!has.remoteBuilder) docker(['image', 'rm', `${first}:sha-1234567`])

    const ws2 = makeWorkspace()
    const result = await runMain(ws2, { images: first, tags: 'v9', 'source-image': `${first}:sha-1234567`, ...login })
    expect(result.code).toBe(0)
    // Without buildx the engine pulls it and pushes it again; buildx's imagetools copies it in the registry.
    if (has.buildx) {
      expect(result.log).toMatch(
        new RegExp(`\\[command\\]\\S+ buildx imagetools create .*${literally(first)}:sha-1234567$`, 'm')
      )
      expect(result.log).not.toMatch(/\[command\]\S+ (pull|push) /)
    } else expect(result.log).toMatch(new RegExp(`\\[command\\]\\S+ pull ${literally(first)}:sha-1234567$`, 'm'))
    // The engine's image ID where it pulled the image; a copy in the registry leaves no local image, and no ID.
    expect(result.outputs.imageid).toBe(has.buildx ? '' : pushed.outputs.imageid)
    await expectRegistryDigests(result, [first], ['v9'])
    expect(result.outputs.digest).toBe(pushed.outputs.digest)
  })
})

describe('promote', () => {
  itWhere(
    has.multiPlatform,
    'without buildx an index is promoted through the engine (next test); the docker driver on the classic store builds no index to promote'
  )('copies a two-platform index registry-side, keeping its digest and its platforms', async () => {
    const ws = makeWorkspace(['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n'))
    const source = `${s.plain}/${uniqueName('promote-src')}:rc`
    const built = await runMain(ws, {
      images: source.slice(0, -3),
      tags: 'rc',
      context: 'app',
      platforms: PLATFORMS.join(',')
    })
    expect(built.code).toBe(0)
    const name = uniqueName('promote-dst')
    const result = await runMain(makeWorkspace(), {
      images: `${s.plain}/${name}`,
      tags: 'stable',
      'source-image': source
    })
    expect(result.code).toBe(0)
    expect(result.outputs.digest).toBe(built.outputs.digest)
    const served = await fetchManifest(s.plain, name, 'stable')
    expect(served.header).toBe(built.outputs.digest)
    expect(Object.keys(platformsOf(served.body)).sort()).toEqual(PLATFORMS)
    // Nothing went through the local engine.
    expect(result.log).not.toMatch(/\[command\]\S+ (pull|push) /)
    expect(result.log).toMatch(/\[command\]\S+ buildx imagetools create --tag /)
  })

  itWhere(has.classicBuilder, 'buildx copies an index registry-side (previous test)')(
    'says, without buildx, when pushing through the engine changed the digest',
    async () => {
      // An index of two platforms (as the merge makes it), promoted through the engine: one platform is left.
      const commit = sha()
      const repository = `${s.plain}/${uniqueName('flatten')}`
      for (const platform of PLATFORMS) expect((await part(repository, platform, commit)).code).toBe(0)
      const merged = await mergeRun(repository, commit)
      expect(merged.code).toBe(0)
      const name = uniqueName('flattened')
      const result = await runMain(makeWorkspace(), {
        images: `${s.plain}/${name}`,
        tags: 'stable',
        'source-image': `${repository}:1.2.3`
      })
      expect(result.code).toBe(0)
      expect(result.outputs.digest).not.toBe(merged.outputs.digest)
      expect(commands(result.log, 'warning')).toEqual(
        expect.arrayContaining([expect.stringContaining(`but the source's digest is ${merged.outputs.digest}`)])
      )
      docker(['image', 'rm', `${s.plain}/${name}:stable`, `${repository}:1.2.3`])
    },
    180_000
  )

  it('tags and pushes a source that is only in the local engine, as the docker docs do', async () => {
    const local = `ship-image-local/${uniqueName('only-here')}:v1`
    docker(['image', 'tag', baseInEngine(), local])
    const name = uniqueName('from-local')
    const result = await runMain(makeWorkspace(), { images: `${s.plain}/${name}`, tags: 'v1', 'source-image': local })
    expect(result.code).toBe(0)
    expect(result.log).toMatch(/\[command\]\S+ image tag /)
    expect((await fetchManifest(s.plain, name, 'v1')).header).toBe(result.outputs.digest)
    expect(has.buildx ? result.log.includes('is not read from a registry') : true).toBe(true)
  })
})

describe('README recipes with an uppercase repository (Octo-Org/…)', () => {
  it('promote: a source-image from ${{ github.repository }} is lowercased and retagged', async () => {
    const repo = `Octo-Org/${uniqueName('Octo-App')}`
    const lower = `${s.tls}/${repo.toLowerCase()}`
    const ws = makeWorkspace()
    const built = await runMain(ws, { ...login, images: `${s.tls}/${repo}`, tags: '1.4.0', context: 'app' })
    expect(built.code).toBe(0)
    const promote = makeWorkspace()
    const result = await runMain(promote, {
      ...login,
      images: `${s.tls}/${repo}`,
      'source-image': `${s.tls}/${repo}:1.4.0`,
      tags: 'stable'
    })
    expect(result.code).toBe(0)
    expect(commands(result.log, 'error')).toEqual([])
    expect(result.outputs.refs).toBe(built.outputs.refs)
    const stable = await fetchManifest(s.tls, repo.toLowerCase(), 'stable', auth)
    expect(stable.header).toBe(built.outputs.digest)
    expect(result.outputs.tags).toBe(`${lower}:stable`)
  })
})

describe('a registry-side promote that fails after one repository moved (issue 23: 6)', () => {
  // The second repository is on the plain registry again, through a proxy that refuses its manifest.
  const proxy = plainFaultProxy({ reachedByBuildx: true })

  itWhere(
    has.buildx,
    'without buildx the engine pulls the source and pushes each repository, as summary.test.ts’s push that one registry refuses'
  )('outputs the repository that moved, and the summary says it was pushed', async () => {
    const ws = makeWorkspace(['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n'))
    const source = `${s.plain}/${uniqueName('half-promoted-src')}`
    const built = await runMain(ws, { images: source, tags: 'rc', context: 'app' })
    expect(built.code).toBe(0)
    const name = uniqueName('half-promoted')
    const moved = `${s.plain}/${name}`
    const refused = `${proxy.host}/${name}-2`
    proxy.setFaults([{ method: 'PUT', path: new RegExp(`^/v2/${name}-2/manifests/`), status: 500 }])
    const promote = makeWorkspace()
    const result = await runMain(
      promote,
      { images: `${moved}\n${refused}`, tags: 'stable', 'source-image': `${source}:rc`, retries: '1' },
      { GITHUB_ACTION: 'promote' }
    )
    expect(result.code).toBe(1)
    expect(result.log).toMatch(/\[command\]\S+ buildx imagetools create /)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining(`${name}-2`)])
    const live = await fetchManifest(s.plain, name, 'stable')
    expect(live.header).toBe(built.outputs.digest)
    // The outputs say what is live, for an `if: failure()` step; the summary too.
    expect(result.outputs.refs).toBe(`${moved}@${live.header}`)
    const summary = fs.readFileSync(promote.summaryFile, 'utf8')
    expect(summary).toMatch(/^### ship-image `promote`: failed in the \w+ phase, pushed 1 repository\n/)
    expect(summary).toContain(`\`\`\`text\n${moved}@${live.header}\n\`\`\``)
  })
})
