// What each builder does with a push (issue 22), end to end, docker's argv recorded
// by a shim first on PATH: a builder outside the engine (the builder world, as
// docker/setup-buildx-action leaves a runner) pushes straight from BuildKit, one
// `buildx build --push` for every tag, and loads into the engine only when asked
// (load, save); several platforms are refused before any build where buildx's docker
// driver sits on the classic image store (the hosted world), and pushed as one index
// where the builder can make it (the builder and containerd worlds); a promote of one
// manifest keeps its digest (`imagetools create --prefer-index=false`).
import { describe, expect } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  docker,
  dockerShim,
  dockerStatus,
  fetchManifest,
  has,
  itWhere,
  makeWorkspace,
  runMain,
  sha256File,
  uniqueName
} from './harness.js'
import type { Manifest, StepResult, Workspace } from './harness.js'

const { s } = setup()

const PLATFORMS = ['linux/amd64', 'linux/arm64']
/** An image of any platform without emulation: no RUN step. */
const COPY_ONLY = ['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n')

/** The step with docker's argv recorded. */
async function run(ws: Workspace, inputs: Record<string, string>): Promise<{ result: StepResult; calls: string[] }> {
  const shim = dockerShim(ws)
  const result = await runMain(ws, { context: 'app', ...inputs }, { PATH: `${shim.dir}:${process.env.PATH}` })
  return { result, calls: shim.calls() }
}

const builds = (calls: string[]): string[] => calls.filter((c) => /^(buildx |image )?build /.test(c))
const pushes = (calls: string[]): string[] => calls.filter((c) => /^(image )?push /.test(c))

/** The manifest under `tag` of a plain-registry repository, checked: served, and its bytes hash to its header. */
async function served(name: string, tag: string): Promise<Manifest> {
  const manifest = await fetchManifest(s.plain, name, tag)
  expect(manifest.status).toBe(200)
  expect(manifest.header).toBe(manifest.computed)
  return manifest
}

/** The platforms of an index, os/arch → manifest digest (attestations left out). */
function platformsOf(body: Buffer): Record<string, string> {
  const index = JSON.parse(body.toString()) as {
    manifests?: { digest: string; platform: { os: string; architecture: string } }[]
  }
  return Object.fromEntries(
    (index.manifests ?? [])
      .filter((m) => m.platform.os !== 'unknown')
      .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest])
  )
}

const configDigestOf = (manifest: Manifest): string =>
  (JSON.parse(manifest.body.toString()) as { config: { digest: string } }).config.digest

describe('a builder outside the engine', () => {
  const it = itWhere(has.remoteBuilder, 'the current builder here is the engine’s own (buildx’s docker driver or none)')

  it('pushes every tag with one buildx build --push, and no docker push; the digest is the registry’s', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('remote-push')
    const repository = `${s.plain}/${name}`
    const tags = ['a', 'b', 'c', 'd']
    const { result, calls } = await run(ws, { images: repository, tags: tags.join(',') })
    expect(result.code).toBe(0)
    expect(builds(calls)).toHaveLength(1)
    expect(builds(calls)[0]).toMatch(/^buildx build --push /)
    for (const tag of tags) expect(builds(calls)[0]).toContain(` --tag ${repository}:${tag} `)
    expect(pushes(calls)).toEqual([])
    expect(result.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    let config: string | undefined
    for (const tag of tags) {
      const manifest = await served(name, tag)
      expect(manifest.header).toBe(result.outputs.digest)
      config ??= configDigestOf(manifest)
    }
    expect(result.outputs.refs).toBe(`${repository}@${result.outputs.digest}`)
    // The image ID is the pushed image's config digest; nothing was loaded into the engine.
    expect(result.outputs.imageid).toBe(config)
    expect(dockerStatus(['image', 'inspect', `${repository}:a`])).not.toBe(0)
  })

  it('with load: true, pushes from the builder and loads the same image into the engine', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('remote-load')
    const repository = `${s.plain}/${name}`
    const { result, calls } = await run(ws, { images: repository, tags: 'v1', load: 'true' })
    expect(result.code).toBe(0)
    expect(builds(calls)).toHaveLength(1)
    expect(builds(calls)[0]).toMatch(/^buildx build (?=.*--push )(?=.*--load )/)
    expect(pushes(calls)).toEqual([])
    const manifest = await served(name, 'v1')
    expect(manifest.header).toBe(result.outputs.digest)
    expect(result.outputs.imageid).toBe(configDigestOf(manifest))
    // The engine has it, as the same image.
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:v1`])).toBe(result.outputs.imageid)
    docker(['image', 'rm', `${repository}:v1`])
  })

  it('with save, pushes, and the tarball it writes from the engine loads back as the pushed image', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('remote-save')
    const repository = `${s.plain}/${name}`
    const { result, calls } = await run(ws, { images: repository, tags: 'v1,v2', save: 'out/image.tar' })
    expect(result.code).toBe(0)
    expect(builds(calls)).toHaveLength(1)
    expect(builds(calls)[0]).toMatch(/^buildx build (?=.*--push )(?=.*--load )/)
    expect(pushes(calls)).toEqual([])
    const manifest = await served(name, 'v2')
    expect(manifest.header).toBe(result.outputs.digest)
    const tarball = path.join(ws.workspace, 'out/image.tar')
    expect(result.outputs.tarball).toBe(tarball)
    expect(result.outputs['tarball-digest']).toBe(sha256File(tarball))
    // Out of the engine, then back from the tarball alone.
    docker(['image', 'rm', `${repository}:v1`, `${repository}:v2`])
    expect(dockerStatus(['image', 'inspect', `${repository}:v1`])).not.toBe(0)
    const loaded = docker(['load', '--input', tarball])
    expect(loaded).toContain(`${repository}:v1`)
    expect(loaded).toContain(`${repository}:v2`)
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:v2`])).toBe(configDigestOf(manifest))
    docker(['image', 'rm', `${repository}:v1`, `${repository}:v2`])
  })
})

describe('several platforms', () => {
  // An image index: several platforms, or one platform and its provenance attestation.
  const refused: [string, Record<string, string>, RegExp][] = [
    [
      'are refused before any build, naming the fix, on the docker driver with the classic image store',
      { platforms: PLATFORMS.join(',') },
      /^::error::Input 'platforms': 2 platforms make one image index, which buildx's docker driver/
    ],
    [
      'and so is provenance, which makes an index too',
      { provenance: 'mode=max' },
      /^::error::Input 'provenance': an attestation makes an image index, which buildx's docker driver/
    ]
  ]
  for (const [title, inputs, error] of refused) {
    itWhere(
      has.dockerDriver && !has.containerdStore,
      'only buildx’s docker driver on the classic image store cannot build an index'
    )(title, async () => {
      const ws = makeWorkspace(COPY_ONLY)
      const name = uniqueName('no-index')
      const { result, calls } = await run(ws, { images: `${s.plain}/${name}`, tags: 'v1', ...inputs })
      expect(result.code).toBe(1)
      // The one docker command: the probe of the image store.
      expect(calls).toHaveLength(1)
      expect(calls[0]).toMatch(/^info /)
      const errors = commands(result.log, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(error)
      expect(errors[0]).toContain('Fix: ')
      expect(errors[0]).toContain('docker/setup-buildx-action')
      expect(errors[0]).toContain('containerd image store')
      expect((await fetchManifest(s.plain, name, 'v1')).status).toBe(404)
    })
  }

  itWhere(has.multiPlatform, 'this world’s builder cannot build an index (the test above refuses it)')(
    'are pushed as one index of both platforms, with the digest the registry serves',
    async () => {
      const ws = makeWorkspace(COPY_ONLY)
      const name = uniqueName('index')
      const repository = `${s.plain}/${name}`
      const { result, calls } = await run(ws, { images: repository, tags: 'v1,v2', platforms: PLATFORMS.join(',') })
      expect(result.code).toBe(0)
      expect(builds(calls)).toHaveLength(1)
      expect(builds(calls)[0]).toMatch(/^buildx build --push (?=.*--platform linux\/amd64,linux\/arm64 )/)
      expect(pushes(calls)).toEqual([])
      for (const tag of ['v1', 'v2']) {
        const index = await served(name, tag)
        expect(index.header).toBe(result.outputs.digest)
        expect(index.mediaType).toMatch(/manifest\.list\.v2\+json|image\.index\.v1\+json/)
        expect(Object.keys(platformsOf(index.body)).sort()).toEqual(PLATFORMS)
      }
      const metadata = JSON.parse(result.outputs.metadata) as { platforms: { platform: string; digest: string }[] }
      const index = platformsOf((await served(name, 'v1')).body)
      expect(Object.fromEntries(metadata.platforms.map((p) => [p.platform, p.digest]))).toEqual(index)
    },
    180_000
  )
})

describe('a promote of one manifest', () => {
  itWhere(
    has.buildx && !has.containerdStore,
    'shown with buildx on the classic image store (the hosted and builder worlds); without buildx the engine promotes'
  )('copies it registry-side and keeps its digest (imagetools create --prefer-index=false)', async () => {
    // The source: one manifest (one platform, no provenance), pushed by the action.
    const source = uniqueName('one-manifest-src')
    const built = await runMain(makeWorkspace(), { images: `${s.plain}/${source}`, tags: 'rc', context: 'app' })
    expect(built.code).toBe(0)
    const original = await served(source, 'rc')
    expect(original.mediaType).toMatch(/manifest\.v2\+json|image\.manifest\.v1\+json/)

    const ws = makeWorkspace()
    fs.rmSync(path.join(ws.workspace, 'app'), { recursive: true })
    const name = uniqueName('one-manifest-dst')
    const { result, calls } = await run(ws, {
      images: `${s.plain}/${name}`,
      tags: 'stable,v1',
      context: '.',
      'source-image': `${s.plain}/${source}:rc`
    })
    expect(result.code).toBe(0)
    expect(calls.filter((c) => c.startsWith('buildx imagetools create ') && !c.endsWith(' --help'))).toEqual([
      `buildx imagetools create --prefer-index=false --tag ${s.plain}/${name}:stable --tag ${s.plain}/${name}:v1 ${s.plain}/${source}:rc`
    ])
    expect(calls.filter((c) => /^(image )?(pull|push|tag) /.test(c))).toEqual([])
    expect(result.outputs.digest).toBe(original.header)
    for (const tag of ['stable', 'v1']) {
      const copy = await served(name, tag)
      expect(copy.header).toBe(original.header)
      expect(copy.mediaType).toBe(original.mediaType)
    }
  })
})
