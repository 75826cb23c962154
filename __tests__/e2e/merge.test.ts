// One image from many runners, end to end: two part runs (each with its own HOME,
// as two runners would have) and a merge run in an empty workspace, all on a tag
// push of v1.2.3; a merge with a missing part or a part of another commit. With
// buildx the index is made with `imagetools create`; without it (the classic world)
// with `docker manifest`, its parts built by the CLI's BuildKit. (A promote of the
// merged index is promote.test.ts's.)
import { describe, expect, it } from '@jest/globals'
import {
  setup,
  commands,
  fetchManifest,
  makeWorkspace,
  mergeRun,
  part,
  PLATFORMS,
  platformsOf,
  runMain,
  sha,
  uniqueName
} from './harness.js'

const { s } = setup()

const AUTO_TAGS = ['1.2.3', '1.2', '1', 'latest']

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
