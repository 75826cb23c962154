// What a user trips over (issue 15), end to end against the real engine and
// registries: README recipes with an uppercase repository, reproducible digests,
// what a failure leaves behind, annotations, messages and log noise.
import { afterAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  commands,
  docker,
  has,
  itWhere,
  fetchManifest,
  labelsServed,
  makeWorkspace,
  parseCommandFile,
  removeWorkspaces,
  runMain,
  services,
  uniqueName
} from './harness.js'
import type { Workspace } from './harness.js'

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }
const auth = { username: s.username, password: s.password }

afterAll(removeWorkspaces)

/** The environment a runner gives for an event: GITHUB_* and the payload file. */
function eventEnv(
  ws: Workspace,
  name: string,
  ref: string,
  sha: string,
  payload: object = {},
  repository = 'Octo-Org/Octo-App'
): Record<string, string> {
  const file = path.join(ws.root, 'event.json')
  fs.writeFileSync(file, JSON.stringify(payload))
  return {
    GITHUB_EVENT_NAME: name,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: file,
    GITHUB_REPOSITORY: repository,
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

describe('README recipes with an uppercase repository (Octo-Org/…)', () => {
  const sha = 'abcabc00112233445566778899aabbccddeeff00'

  it('GHCR: images and cache-from from ${{ github.repository }} are lowercased, with one notice', async () => {
    // registry: <host>, images: ${{ github.repository }}, cache-from: <host>/${{ github.repository }}:main
    const repo = `Octo-Org/${uniqueName('Octo-App')}`
    const lower = `${s.tls}/${repo.toLowerCase()}`
    const inputs = { ...login, images: repo, 'cache-from': `${s.tls}/${repo}:main`, context: 'app' }
    const first = makeWorkspace()
    const run1 = await runMain(first, inputs, eventEnv(first, 'push', 'refs/heads/main', sha, {}, repo))
    expect(run1.code).toBe(0)
    expect(run1.outputs.tags.split('\n')).toEqual([`${lower}:main`, `${lower}:sha-abcabc0`])
    const notices = commands(run1.log, 'notice').filter((n) => n.includes('uppercase'))
    expect(notices).toEqual([
      `::notice::Docker does not allow uppercase letters in repository names; using '${repo.toLowerCase()}' for '${repo}' (images), '${lower}:main' for '${s.tls}/${repo}:main' (cache-from).`
    ])
    // The second run finds the first one's image as its cache, by the lowercase name.
    const second = makeWorkspace(fs.readFileSync(path.join(first.workspace, 'app/Dockerfile'), 'utf8'))
    const run2 = await runMain(second, inputs, eventEnv(second, 'push', 'refs/heads/main', sha, {}, repo))
    expect(run2.code).toBe(0)
    // The classic builder pulls it first; BuildKit reads it from the registry itself.
    expect(run2.log).toContain(`--cache-from ${lower}:main`)
    expect(
      run2.log.includes(`docker pull ${lower}:main`) || run2.log.includes(`importing cache manifest from ${lower}:main`)
    ).toBe(true)
    expect(commands(run2.log, 'notice').filter((n) => n.includes('could not be pulled'))).toEqual([])
    expect(commands(run2.log, 'error')).toEqual([])
  })

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

describe('reproducible builds', () => {
  const sha = 'c0ffee00112233445566778899aabbccddeeff00'
  // A push event's payload: the head commit and its time, with the committer's offset.
  const payload = { head_commit: { id: sha, timestamp: '2025-03-04T05:06:07+01:00' } }
  const commitTime = '2025-03-04T04:06:07Z'

  it('gives one commit built twice one digest, dated at the commit', async () => {
    const repository = `${s.plain}/${uniqueName('repro')}`
    const first = makeWorkspace()
    const dockerfile = fs.readFileSync(path.join(first.workspace, 'app/Dockerfile'), 'utf8')
    const runs = []
    for (const ws of [first, makeWorkspace(dockerfile)]) {
      const result = await runMain(
        ws,
        { images: repository, context: 'app' },
        eventEnv(ws, 'push', 'refs/heads/main', sha, payload)
      )
      expect(result.code).toBe(0)
      expect(result.log).toContain(
        `Image creation time (org.opencontainers.image.created): ${commitTime}, the commit's time, from the event's head commit.`
      )
      runs.push(result)
      // A second apart at least, so that a "now" anywhere in the image would show.
      await new Promise((resolve) => setTimeout(resolve, 1100))
    }
    const [one, two] = runs
    expect(two.outputs.digest).toBe(one.outputs.digest)
    expect(two.outputs.refs).toBe(one.outputs.refs)
    const name = repository.slice(s.plain.length + 1)
    expect((await fetchManifest(s.plain, name, 'main')).header).toBe(one.outputs.digest)
    expect((await labelsServed(s.plain, name, 'main'))['org.opencontainers.image.created']).toBe(commitTime)
    // buildx gets SOURCE_DATE_EPOCH, so BuildKit dates the image config at the commit too.
    if (one.log.includes(' buildx build ')) {
      expect(one.log).toContain(`--build-arg SOURCE_DATE_EPOCH=${Date.parse(commitTime) / 1000} `)
      expect(docker(['image', 'inspect', '--format', '{{.Created}}', `${repository}:main`])).toMatch(
        /^2025-03-04T04:06:07(\.0+)?Z$/
      )
    }
  })
})

describe('a pull request from a fork', () => {
  it('with push: true and no credentials, builds the image and skips the push with a warning', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('fork')
    const repository = `${s.plain}/${name}`
    const payload = {
      pull_request: {
        number: 12,
        head: { sha: 'fedcba9876543210fedcba9876543210fedcba98', repo: { full_name: 'someone/octo-app', fork: true } },
        base: { repo: { full_name: 'Octo-Org/Octo-App' } }
      }
    }
    const result = await runMain(
      ws,
      { images: repository, context: 'app', push: 'true' },
      eventEnv(ws, 'pull_request', 'refs/pull/12/merge', 'a'.repeat(40), payload)
    )
    expect(result.code).toBe(0)
    expect(commands(result.log, 'warning')).toContainEqual(
      `::warning::Not pushing: a pull request from the fork someone/octo-app gets no secrets, and there is no login for ${s.plain}, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: \${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to.`
    )
    // Built: the image is in the engine under its tags. Not pushed: the registry (which takes anonymous pushes) has nothing.
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:pr-12`])).toBe(result.outputs.imageid)
    expect(result.log).not.toContain(`docker push ${repository}`)
    expect((await fetchManifest(s.plain, name, 'pr-12')).status).toBe(404)
    expect(result.outputs.digest).toBe('')
    expect(result.outputs.refs).toBe('')
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toContain('nothing pushed')
  })
})

describe('build annotations', () => {
  const twoStages = [
    `FROM ${s.baseImage} AS one`,
    'RUN touch /marker',
    'RUN echo checking >&2; ls /marker',
    '',
    `FROM ${s.baseImage} AS two`,
    'RUN echo checking >&2; ls /marker',
    ''
  ].join('\n')
  const failed = [
    'app/Dockerfile:6: RUN echo checking >&2; ls /marker failed: exit code 1',
    '  checking',
    '  ls: /marker: No such file or directory'
  ].join('%0A')
  const buildkit = { PATH: `/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }

  it.each<[string, Record<string, string>]>([
    ['the classic builder', {}],
    ['BuildKit', buildkit]
  ])(
    'points the same instruction in two stages at the stage that failed, with its last lines (%s)',
    async (_label, extraEnv) => {
      const ws = makeWorkspace(twoStages)
      const result = await runMain(
        ws,
        { images: `${s.plain}/${uniqueName('stages')}`, context: 'app', network: 'host' },
        extraEnv
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        `::error title=docker build failed,file=app/Dockerfile,line=6::${failed}`
      ])
    }
  )

  it('points a missing base image at its FROM line (BuildKit)', async () => {
    const missing = `${s.plain}/${uniqueName('no-such-base')}`
    const ws = makeWorkspace(
      [`ARG BASE=${missing}`, `FROM ${s.baseImage} AS tools`, 'FROM ${BASE}:1', 'RUN true', ''].join('\n')
    )
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('base')}`, context: 'app', network: 'host' },
      buildkit
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      `::error title=docker build failed,file=app/Dockerfile,line=3::app/Dockerfile:3: FROM \${BASE}:1: the base image ${missing}:1 could not be loaded: ${missing}:1: not found`
    ])
  })
})

describe('log noise', () => {
  // Only the classic builder has the message.
  itWhere(has.classicBuilder, 'buildx builds with BuildKit, not the classic builder')(
    'says "classic builder" once per job, as a notice: a later step of the job sees the marker',
    async () => {
      const ws = makeWorkspace()
      const envFile = path.join(ws.root, 'github-env')
      fs.writeFileSync(envFile, '')
      const inputs = { images: `${s.plain}/${uniqueName('noise')}`, context: 'app', push: 'false', summary: 'false' }
      const first = await runMain(ws, inputs, { GITHUB_ENV: envFile })
      expect(first.code).toBe(0)
      const classic = (log: string) =>
        [...commands(log, 'warning'), ...commands(log, 'notice')].filter((l) => l.includes('classic builder'))
      expect(classic(first.log)).toEqual([expect.stringMatching(/^::notice::docker build here is the classic builder/)])
      // The runner gives the next steps of the job what a step wrote to GITHUB_ENV.
      const exported = parseCommandFile(fs.readFileSync(envFile, 'utf8'))
      expect(exported).toEqual({ SHIP_IMAGE_CLASSIC_BUILDER_NOTED: 'true' })
      const second = await runMain(ws, inputs, { GITHUB_ENV: envFile, ...exported })
      expect(second.code).toBe(0)
      expect(classic(second.log)).toEqual([])
    }
  )

  it('keeps group titles to 120 characters, the whole list inside, and says "manifest unknown" once', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('octo-org-long-repository-name')}`
    const tags = Array.from({ length: 8 }, (_, i) => `release-candidate-${i}`)
    const result = await runMain(ws, {
      images: repository,
      tags: tags.join(','),
      context: 'app',
      'cache-from': `${repository}:main`,
      summary: 'false'
    })
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    const groups = lines.filter((l) => l.startsWith('::group::'))
    expect(groups.length).toBeGreaterThanOrEqual(2)
    for (const group of groups) expect(group.length - '::group::'.length).toBeLessThanOrEqual(120)
    const building = lines.findIndex((l) => l.startsWith('::group::Building '))
    expect(lines[building]).toMatch(/, … \(\d+ more\)$/)
    expect(lines[building + 1]).toBe(`Building ${tags.map((t) => `${repository}:${t}`).join(', ')}`)
    // The classic builder pulls cache-from first (BuildKit reads it from the registry and says so in its own output).
    const pulled = result.log.includes(`pull ${repository}:main`)
    expect(commands(result.log, 'notice').filter((n) => n.includes('cache-from'))).toEqual(
      pulled
        ? [
            `::notice::cache-from: ${repository}:main could not be pulled: it is not in the registry (yet: on a first run, or before that tag is pushed); building without it.`
          ]
        : []
    )
    // docker's own output says it twice; what the action says, once.
    const said = ['error', 'warning', 'notice'].flatMap((kind) => commands(result.log, kind))
    expect(said.join('\n')).not.toMatch(/manifest unknown: manifest unknown/)
  })
})

describe('what a failure leaves behind', () => {
  it('a failed build: a summary with the phase and the error, and no outputs (nothing is live)', async () => {
    const ws = makeWorkspace(
      [`FROM ${s.baseImage}`, 'RUN echo "compiling…"; echo "error: no such file"; exit 2', ''].join('\n')
    )
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('failed')}`, context: 'app' },
      { GITHUB_ACTION: 'build-image' }
    )
    expect(result.code).toBe(1)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    expect(summary).toContain('### ship-image `build-image`: failed in the build phase, nothing pushed\n')
    expect(summary).toContain(
      [
        '**Failed in the build phase.**',
        '',
        '```text',
        `app/Dockerfile:2: RUN echo "compiling…"; echo "error: no such file"; exit 2 failed: exit code 2`,
        '  compiling…',
        '  error: no such file',
        '```'
      ].join('\n')
    )
    expect(summary).toMatch(/\| build \| total \|\n\|---\|---\|\n\| \d+(\.\d)? m?s \| \d+(\.\d)? m?s \|/)
    expect(result.outputs).toEqual({})
  })

  it('a push that one registry refuses: the outputs and the summary of the repository that was pushed', async () => {
    const ws = makeWorkspace()
    const pushedRepo = `${s.plain}/${uniqueName('partly')}`
    const refusedRepo = `${s.tls}/${uniqueName('partly')}`
    // No credentials: the plain registry takes the push, the TLS one wants a login.
    const result = await runMain(
      ws,
      { images: `${pushedRepo}\n${refusedRepo}`, tags: 'v1', context: 'app' },
      { GITHUB_ACTION: 'publish' }
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining('no basic auth credentials')])
    const live = await fetchManifest(s.plain, pushedRepo.slice(s.plain.length + 1), 'v1')
    expect(live.status).toBe(200)
    // The outputs say what is live, for an `if: failure()` step.
    expect(result.outputs.refs).toBe(`${pushedRepo}@${live.header}`)
    expect(result.outputs.digest).toBe(live.header)
    expect(result.outputs.tags).toBe(`${pushedRepo}:v1\n${refusedRepo}:v1`)
    const metadata = JSON.parse(result.outputs.metadata) as { images: { repository: string; digest: string | null }[] }
    expect(metadata.images.map((i) => [i.repository, i.digest])).toEqual([
      [pushedRepo, live.header],
      [refusedRepo, null]
    ])
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    expect(summary).toContain('### ship-image `publish`: failed in the push phase, pushed 1 repository\n')
    expect(summary).toContain('**Failed in the push phase.** What it did before is live, in the outputs and below.')
    expect(summary).toContain(`\`\`\`text\n${pushedRepo}@${live.header}\n\`\`\``)
    expect(summary).toContain(`| \`${refusedRepo}\` | \`v1\` | — |`)
  })
})

describe('the job summary', () => {
  it('names the step, the builder, the platform, the cache hits and the total time', async () => {
    const sha = 'c0ffee00112233445566778899aabbccddeeff00'
    const payload = { head_commit: { id: sha, timestamp: '2025-03-04T05:06:07+01:00' } }
    const repository = `${s.plain}/${uniqueName('summary')}`
    const first = makeWorkspace()
    const dockerfile = fs.readFileSync(path.join(first.workspace, 'app/Dockerfile'), 'utf8')
    const inputs = { images: repository, context: 'app', save: 'dist/image.tar.gz' }
    expect((await runMain(first, inputs, eventEnv(first, 'push', 'refs/heads/main', sha, payload))).code).toBe(0)
    const ws = makeWorkspace(dockerfile)
    const result = await runMain(ws, inputs, {
      ...eventEnv(ws, 'push', 'refs/heads/main', sha, payload),
      GITHUB_ACTION: '__ship-image_ship-image_2'
    })
    expect(result.code).toBe(0)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    const lines = summary.split('\n')
    expect(lines[0]).toBe('### ship-image `__ship-image_ship-image_2`: pushed 1 repository, saved a tarball')
    // The same commit again: every step from the cache.
    const made = lines[2].match(
      /^Version `main` · built `app\/Dockerfile` with (buildx|the classic builder) for the engine's platform · (\d+) of (\d+) steps cached · \d+(\.\d)? m?s in all\.$/
    )
    expect(made).not.toBeNull()
    expect(made![2]).toBe(made![3])
    expect(summary).toContain('| repository | tags | digest | image size in the engine |')
    expect(summary).toContain(`\`\`\`text\n${result.outputs.refs}\n\`\`\``)
    expect(summary).toContain('**Tarball** `image.tar.gz`: tarball size on disk ')
    expect(summary).toContain(`This job wrote it to \`${path.join(ws.workspace, 'dist/image.tar.gz')}\``)
    expect(summary).toContain('```sh\ndocker load --input image.tar.gz\n```')
  })
})
