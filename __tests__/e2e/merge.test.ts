// One image from many runners, end to end: two part runs (each with its own HOME,
// as two runners would have) and a merge run in an empty workspace, all on a tag
// push of v1.2.3; a merge with a missing part or a part of another commit. With
// buildx the index is made with `imagetools create`; without it (the classic world)
// with `docker manifest`, its parts built by the CLI's BuildKit. (A promote of the
// merged index is promote.test.ts's.) And what must never happen (issue 23): a part
// of another platform merged as the one asked for, an unfinished merge or another
// merge at once on the runner changing what a merge publishes or reports, a failure
// after one repository moved reporting nothing.
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  describeWhere,
  dockerShim,
  fetchManifest,
  has,
  itWhere,
  makeWorkspace,
  mergeRun,
  part,
  plainFaultProxy,
  PLATFORMS,
  platformsOf,
  runMain,
  sha,
  tagPush,
  uniqueName
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'

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

/** A merge job's workspace: no checkout. */
function emptyWorkspace(): Workspace {
  const ws = makeWorkspace()
  fs.rmSync(path.join(ws.workspace, 'app'), { recursive: true })
  return ws
}

/** The merge job of `images` (one repository or several, a line each) in `ws`, with more inputs and environment. */
function mergeIn(
  ws: Workspace,
  images: string,
  commit: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
): Promise<StepResult> {
  return runMain(ws, { images, merge: PLATFORMS.join(', '), ...inputs }, { ...tagPush(ws, commit), ...env })
}

/** Both parts of a commit, pushed; their digests by platform. */
async function bothParts(images: string, commit: string): Promise<Record<string, string>> {
  const runs = await Promise.all(PLATFORMS.map((platform) => part(images, platform, commit)))
  expect(runs.map((r) => r.code)).toEqual([0, 0])
  return Object.fromEntries(PLATFORMS.map((platform, i) => [platform, runs[i].outputs.digest]))
}

/** The part tag of a commit's platform. */
const partTag = (commit: string, platform: string): string => `sha-${commit.slice(0, 7)}-${platform.replace('/', '-')}`

describe('a part of another platform (issue 23: 3)', () => {
  it('is refused under another platform’s part tag: an arm64 image as the amd64 part', async () => {
    const commit = sha()
    const name = uniqueName('wrong-platform')
    const repository = `${s.plain}/${name}`
    expect((await part(repository, 'linux/arm64', commit)).code).toBe(0)
    // The arm64 part, copied under the amd64 part's tag.
    const copied = await runMain(makeWorkspace(), {
      images: repository,
      tags: partTag(commit, 'linux/amd64'),
      'source-image': `${repository}:${partTag(commit, 'linux/arm64')}`,
      latest: 'false'
    })
    expect(copied.code).toBe(0)
    const merged = await mergeRun(repository, commit)
    expect({ code: merged.code, errors: commands(merged.log, 'error') }).toEqual({
      code: 1,
      errors: [
        expect.stringContaining(
          `linux/amd64: ${repository}:${partTag(commit, 'linux/amd64')} is an image for linux/arm64, not one image for linux/amd64`
        )
      ]
    })
    expect((await fetchManifest(s.plain, name, '1.2.3')).status).toBe(404)
  }, 180_000)

  // Without buildx a part is pulled for its one platform: an index is never read as one.
  itWhere(has.multiPlatform, 'this builder makes no index of several platforms')(
    'is refused when a part tag holds an index of several platforms',
    async () => {
      const commit = sha()
      const name = uniqueName('index-part')
      const repository = `${s.plain}/${name}`
      expect((await part(repository, 'linux/arm64', commit)).code).toBe(0)
      // An index of both platforms, of this commit, under the amd64 part's tag.
      const ws = makeWorkspace(
        ['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n')
      )
      const both = await runMain(
        ws,
        { images: repository, tags: 'both', context: 'app', platforms: PLATFORMS.join(','), latest: 'false' },
        tagPush(ws, commit)
      )
      expect(both.code).toBe(0)
      const copied = await runMain(makeWorkspace(), {
        images: repository,
        tags: partTag(commit, 'linux/amd64'),
        'source-image': `${repository}:both`,
        latest: 'false'
      })
      expect(copied.code).toBe(0)
      const merged = await mergeRun(repository, commit)
      expect({ code: merged.code, errors: commands(merged.log, 'error') }).toEqual({
        code: 1,
        errors: [
          expect.stringContaining(
            `linux/amd64: ${repository}:${partTag(commit, 'linux/amd64')} is an index of linux/amd64, linux/arm64, not one image for linux/amd64`
          )
        ]
      })
      expect((await fetchManifest(s.plain, name, '1.2.3')).status).toBe(404)
    },
    180_000
  )

  // The classic builder takes the base image the engine has, whatever its platform; BuildKit builds the one asked for.
  itWhere(has.classicBuilder, 'buildx builds for the platform asked, from the base image of that platform')(
    'is not pushed by a part run whose classic builder made the engine’s platform instead',
    async () => {
      const commit = sha()
      const name = uniqueName('classic-arm64')
      const ws = makeWorkspace() // FROM the base image, which the engine has for its own platform (amd64)
      // The classic builder: no DOCKER_BUILDKIT, the world's CLI.
      const { DOCKER_BUILDKIT: _buildkit, PATH: _path, ...event } = tagPush(ws, commit)
      const result = await runMain(
        ws,
        { images: `${s.plain}/${name}`, context: 'app', platforms: 'linux/arm64', merge: 'part' },
        event
      )
      expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({
        code: 1,
        errors: [
          expect.stringContaining('docker build made a linux/amd64 image, not the linux/arm64 that platforms asks for')
        ]
      })
      expect((await fetchManifest(s.plain, name, partTag(commit, 'linux/arm64'))).status).toBe(404)
    }
  )
})

describeWhere(has.classicBuilder, 'buildx makes an index with imagetools create, which keeps no list on the runner')(
  'merges on one runner with docker manifest',
  () => {
    // A manifest push that fails, or a job cancelled while it pushes (docker manifest push waits 30 s).
    const unfinished = {
      'a manifest push that fails': {
        before: 'if [ "$1 $2" = "manifest push" ]; then echo "simulated: the registry is down" >&2; exit 1; fi',
        code: 1
      },
      'SIGTERM during the manifest push': { before: 'if [ "$1 $2" = "manifest push" ]; then sleep 30; fi', code: 143 }
    }
    for (const [how, { before, code }] of Object.entries(unfinished)) {
      it(`publish what the next merge of another commit made, after an unfinished merge (${how}) (issue 23: 1)`, async () => {
        const name = uniqueName('unfinished')
        const repository = `${s.plain}/${name}`
        const [first, next] = [sha(), sha()]
        await bothParts(repository, first)
        const parts = await bothParts(repository, next)
        const stopped = emptyWorkspace()
        const shim = dockerShim(stopped, { before })
        const unfinishedRun = await runMain(
          stopped,
          { images: repository, merge: PLATFORMS.join(', '), retries: '1' },
          { ...tagPush(stopped, first), PATH: `${shim.dir}:${process.env.PATH}` },
          code === 143 ? { when: /\[command\]\S+ manifest push /, signal: 'SIGTERM' } : undefined
        )
        expect(unfinishedRun.code).toBe(code)
        expect(shim.calls().filter((c) => c.startsWith('manifest create '))).not.toEqual([])
        expect((await fetchManifest(s.plain, name, '1.2.3')).status).toBe(404)
        // The next merge job on this runner: its HOME (and ~/.docker) is the same.
        const merged = await mergeIn(emptyWorkspace(), repository, next, {}, { HOME: stopped.home })
        expect({ code: merged.code, errors: commands(merged.log, 'error') }).toEqual({ code: 0, errors: [] })
        for (const tag of ['1.2.3', `sha-${next.slice(0, 7)}`]) {
          const served = await fetchManifest(s.plain, name, tag)
          // Its own parts, and nothing of the unfinished merge's commit.
          expect({ tag, platforms: platformsOf(served.body) }).toEqual({ tag, platforms: parts })
          expect((JSON.parse(served.body.toString()) as { manifests: unknown[] }).manifests).toHaveLength(2)
          expect(served.header).toBe(merged.outputs.digest)
        }
      }, 240_000)
    }

    it('both succeed when two merges of one commit run at once on one runner (issue 23: 4)', async () => {
      const commit = sha()
      const name = uniqueName('same-commit')
      const repository = `${s.plain}/${name}`
      const parts = await bothParts(repository, commit)
      for (let round = 0; round < 2; round++) {
        const one = emptyWorkspace()
        const runs = await Promise.all([
          mergeIn(one, repository, commit),
          mergeIn(emptyWorkspace(), repository, commit, {}, { HOME: one.home })
        ])
        expect(runs.map((r) => ({ code: r.code, errors: commands(r.log, 'error') }))).toEqual([
          { code: 0, errors: [] },
          { code: 0, errors: [] }
        ])
        const served = await fetchManifest(s.plain, name, '1.2.3')
        expect(runs.map((r) => r.outputs.digest)).toEqual([served.header, served.header])
        expect(platformsOf(served.body)).toEqual(parts)
      }
    }, 240_000)
  }
)

describe('merges of two commits at once', () => {
  itWhere(has.buildx, 'without buildx docker manifest push prints the digest it pushed')(
    'each output the digest of their own index, never the other’s (issue 23: 5)',
    async () => {
      const name = uniqueName('two-commits')
      const repository = `${s.plain}/${name}`
      const commits = [sha(), sha()]
      const parts = [await bothParts(repository, commits[0]), await bothParts(repository, commits[1])]
      for (let round = 0; round < 3; round++) {
        const runs = await Promise.all(commits.map((commit) => mergeRun(repository, commit)))
        for (const [i, run] of runs.entries()) {
          expect({ code: run.code, errors: commands(run.log, 'error') }).toEqual({ code: 0, errors: [] })
          // The index the run says it made holds its own commit's parts.
          const made = await fetchManifest(s.plain, name, run.outputs.digest)
          expect({ round, run: i, platforms: platformsOf(made.body) }).toEqual({ round, run: i, platforms: parts[i] })
          expect(JSON.parse(run.outputs.metadata).platforms).toEqual(
            PLATFORMS.map((platform) => ({ platform, digest: parts[i][platform] }))
          )
        }
      }
    },
    300_000
  )
})

describe('a merge that fails after one repository moved (issue 23: 6)', () => {
  // The second repository is on the plain registry again, through a proxy that refuses its index.
  const proxy = plainFaultProxy({ reachedByBuildx: true })

  it('outputs the repository that moved, and the summary says it was pushed', async () => {
    const commit = sha()
    const name = uniqueName('half-moved')
    const moved = `${s.plain}/${name}`
    const refused = `${proxy.host}/${name}-2`
    proxy.setFaults([])
    await bothParts(`${moved}\n${refused}`, commit)
    proxy.setFaults([{ method: 'PUT', path: new RegExp(`^/v2/${name}-2/manifests/`), status: 500 }])
    const ws = emptyWorkspace()
    const merged = await mergeIn(ws, `${moved}\n${refused}`, commit, { retries: '1' }, { GITHUB_ACTION: 'merge' })
    expect(merged.code).toBe(1)
    expect(commands(merged.log, 'error')).toEqual([expect.stringContaining(refused)])
    const live = await fetchManifest(s.plain, name, '1.2.3')
    expect(live.status).toBe(200)
    // The outputs say what is live, for an `if: failure()` step; the summary too.
    expect(merged.outputs.refs).toBe(`${moved}@${live.header}`)
    expect(merged.outputs.digest).toBe(live.header)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    expect(summary).toMatch(/^### ship-image `merge`: failed in the \w+ phase, pushed 1 repository\n/)
    expect(summary).toContain(`\`\`\`text\n${moved}@${live.header}\n\`\`\``)
  }, 240_000)
})
