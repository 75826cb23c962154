// One image from many runners, end to end: two part runs (each with its own HOME,
// as two runners would have) and a merge run in an empty workspace, all on a tag
// push of v1.2.3; a merge with a missing part or a part of another commit; and a
// promote that keeps an index's digest and platforms. With buildx the index is made
// with `imagetools create`; without it (the classic world) with `docker manifest`,
// its parts built by the CLI's BuildKit.
import { afterAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  buildkit,
  commands,
  docker,
  fetchManifest,
  has,
  itWhere,
  makeWorkspace,
  removeWorkspaces,
  runMain,
  services,
  uniqueName
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'

const s = services()
afterAll(removeWorkspaces)

const PLATFORMS = ['linux/amd64', 'linux/arm64']
const AUTO_TAGS = ['1.2.3', '1.2', '1', 'latest']

/** A tag push of v1.2.3 of commit `sha`, as the runner describes it. */
function tagPush(ws: Workspace, sha: string): Record<string, string> {
  const payload = path.join(ws.root, 'event.json')
  fs.writeFileSync(payload, JSON.stringify({ ref: 'refs/tags/v1.2.3' }))
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: payload,
    GITHUB_REPOSITORY: 'octo-org/app',
    ...buildkit()
  }
}

/** A build job of the matrix: `merge: part` for one platform, a COPY-only image (no emulation needed). */
async function part(repository: string, platform: string, sha: string): Promise<StepResult> {
  const ws = makeWorkspace(['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n'))
  return runMain(ws, { images: repository, context: 'app', platforms: platform, merge: 'part' }, tagPush(ws, sha))
}

/** The merge job: an empty workspace, no checkout. */
async function mergeRun(repository: string, sha: string): Promise<StepResult> {
  const ws = makeWorkspace()
  fs.rmSync(path.join(ws.workspace, 'app'), { recursive: true })
  return runMain(ws, { images: repository, merge: PLATFORMS.join(', ') }, tagPush(ws, sha))
}

/** The platforms of an index as the registry serves it, os/arch → digest (attestations left out). */
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

const sha = (): string => randomBytes(20).toString('hex')

describe('merge', () => {
  it('makes one index of both parts under every auto tag, with the digest the registry serves', async () => {
    const commit = sha()
    const name = uniqueName('merged')
    const repository = `${s.plain}/${name}`
    const parts = await Promise.all(PLATFORMS.map((platform) => part(repository, platform, commit)))
    for (const [i, run] of parts.entries()) {
      expect(run.code).toBe(0)
      const tag = `sha-${commit.slice(0, 7)}-${PLATFORMS[i].replace('/', '-')}`
      // A part is pushed under its own tag, and nothing under the real ones.
      expect(run.outputs.tags).toBe(`${repository}:${tag}`)
      expect((await fetchManifest(s.plain, name, tag)).status).toBe(200)
    }
    expect((await fetchManifest(s.plain, name, '1.2.3')).status).toBe(404)

    const merged = await mergeRun(repository, commit)
    expect(merged.code).toBe(0)
    const tags = [...AUTO_TAGS, `sha-${commit.slice(0, 7)}`]
    expect(merged.outputs.tags).toBe(tags.map((t) => `${repository}:${t}`).join('\n'))
    expect(merged.outputs.version).toBe('1.2.3')
    for (const tag of tags) {
      const served = await fetchManifest(s.plain, name, tag)
      expect(served.status).toBe(200)
      expect(served.header).toBe(served.computed)
      expect(served.header).toBe(merged.outputs.digest)
      expect(Object.keys(platformsOf(served.body)).sort()).toEqual(PLATFORMS)
    }
    expect(merged.outputs.refs).toBe(`${repository}@${merged.outputs.digest}`)
    const metadata = JSON.parse(merged.outputs.metadata) as { platforms: { platform: string; digest: string }[] }
    const index = platformsOf((await fetchManifest(s.plain, name, '1.2.3')).body)
    expect(Object.fromEntries(metadata.platforms.map((p) => [p.platform, p.digest]))).toEqual(index)
    // Nothing was built: no build command ran in the merge job.
    expect(merged.log).not.toMatch(/\[command\]\S+ (buildx )?build /)
  }, 180_000)

  it('fails, naming the platform, and moves no tag when a part is missing', async () => {
    const commit = sha()
    const name = uniqueName('half')
    const repository = `${s.plain}/${name}`
    expect((await part(repository, 'linux/amd64', commit)).code).toBe(0)
    const merged = await mergeRun(repository, commit)
    expect(merged.code).toBe(1)
    const errors = commands(merged.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/no tag was moved: linux\/arm64: there is no part \S+:sha-[0-9a-f]{7}-linux-arm64/)
    expect(errors[0]).not.toContain('linux/amd64:')
    for (const tag of AUTO_TAGS) expect((await fetchManifest(s.plain, name, tag)).status).toBe(404)
  }, 120_000)

  it('fails, naming the platform, when a part is of another commit', async () => {
    const commit = sha()
    const other = sha()
    const name = uniqueName('stale')
    const repository = `${s.plain}/${name}`
    expect((await part(repository, 'linux/amd64', commit)).code).toBe(0)
    // An arm64 part built from another commit, then put under this commit's part tag.
    const stale = await part(repository, 'linux/arm64', other)
    expect(stale.code).toBe(0)
    const tag = `sha-${commit.slice(0, 7)}-linux-arm64`
    const copied = await runMain(makeWorkspace(), {
      images: repository,
      tags: tag,
      'source-image': `${repository}:sha-${other.slice(0, 7)}-linux-arm64`,
      latest: 'false'
    })
    expect(copied.code).toBe(0)
    const merged = await mergeRun(repository, commit)
    expect(merged.code).toBe(1)
    expect(commands(merged.log, 'error')).toEqual([
      expect.stringContaining(`linux/arm64: ${repository}:${tag} is of commit ${other}, not ${commit}`)
    ])
    expect((await fetchManifest(s.plain, name, '1.2.3')).status).toBe(404)
  }, 180_000)
})

describe('promote', () => {
  itWhere(has.buildx, 'without buildx an index is promoted through the engine (next test)')(
    'copies a two-platform index registry-side, keeping its digest and its platforms',
    async () => {
      const ws = makeWorkspace(
        ['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n')
      )
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
    }
  )

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
    docker(['image', 'tag', s.baseImage, local])
    const name = uniqueName('from-local')
    const result = await runMain(makeWorkspace(), { images: `${s.plain}/${name}`, tags: 'v1', 'source-image': local })
    expect(result.code).toBe(0)
    expect(result.log).toMatch(/\[command\]\S+ image tag /)
    expect((await fetchManifest(s.plain, name, 'v1')).header).toBe(result.outputs.digest)
    expect(has.buildx ? result.log.includes('is not read from a registry') : true).toBe(true)
  })
})
