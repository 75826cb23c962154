// Build and push, end to end: the digest outputs are the registry's own for every
// repository and tag, one build goes to several registries, a repository's first tag
// is pushed before its others, and runs on one engine or one machine at once each
// report their own image.
import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  docker,
  expectRegistryDigests,
  fetchManifest,
  has,
  itWhere,
  labelsServed,
  makeWorkspace,
  runMain,
  runPost,
  skopeoRaw,
  uniqueName
} from './harness.js'
import type { StepResult } from './harness.js'

const { s, login } = setup()

describe('build and push', () => {
  it('pushes to the plain registry and outputs the digest the registry stored', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('plain')}`
    const result = await runMain(ws, {
      images: repository,
      tags: 'v1, latest',
      context: 'app',
      'build-args': 'MESSAGE=hello from e2e',
      labels: 'org.example.team=ship\norg.example.note=a,b=c'
    })
    expect(result.code).toBe(0)
    expect(commands(result.log, 'error')).toEqual([])
    await expectRegistryDigests(result, [repository], ['v1', 'latest'])
    expect(result.outputs.tags).toBe(`${repository}:v1\n${repository}:latest`)

    // The engine's image ID; a builder outside the engine pushed without loading: buildx's ID, the config's digest.
    const id = has.remoteBuilder
      ? (JSON.parse(skopeoRaw(`${repository}:v1`)) as { config: { digest: string } }).config.digest
      : docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:v1`])
    expect(result.outputs.imageid).toBe(id)
    const labels = await labelsServed(s.plain, repository.slice(s.plain.length + 1), 'v1')
    expect(labels).toMatchObject({ message: 'hello from e2e', 'org.example.team': 'ship', 'org.example.note': 'a,b=c' })

    const metadata = JSON.parse(result.outputs.metadata)
    expect(metadata).toMatchObject({
      imageid: id,
      digest: result.outputs.digest,
      refs: [`${repository}@${result.outputs.digest}`],
      images: [
        {
          repository,
          registry: s.plain,
          digest: result.outputs.digest,
          tags: [{ tag: 'v1', digest: result.outputs.digest }, { tag: 'latest' }]
        }
      ],
      tarball: null
    })
    expect(result.outputs.tarball).toBe('')
    const phases = has.remoteBuilder ? ['Building and pushing', 'Reading back'] : ['Building', 'Pushing']
    for (const phase of phases) expect(result.log).toMatch(new RegExp(`^::group::${phase}`, 'm'))

    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
  })

  it('pushes one build to two registries, each with its own digest check', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('both')
    const repositories = [`${s.plain}/${name}`, `${s.tls}/team/${name}`]
    const result = await runMain(ws, {
      images: repositories.join('\n'),
      tags: 'v1\nv1.0\nlatest',
      context: 'app',
      ...login
    })
    expect(result.code).toBe(0)
    await expectRegistryDigests(result, repositories, ['v1', 'v1.0', 'latest'])
    expect(result.outputs.tags.split('\n')).toEqual(
      repositories.flatMap((r) => ['v1', 'v1.0', 'latest'].map((t) => `${r}:${t}`))
    )
    const metadata = JSON.parse(result.outputs.metadata) as { images: { repository: string; ref: string }[] }
    expect(metadata.images.map((i) => i.ref)).toEqual(result.outputs.refs.split('\n'))
  })
})

describe('speed', () => {
  itWhere(!has.remoteBuilder, 'the builder outside the engine pushes every tag in its build')(
    'pushes the first tag of each repository before its other tags, and marks each line with its reference',
    async () => {
      const ws = makeWorkspace()
      const repositories = [`${s.plain}/${uniqueName('order')}`, `${s.tls}/${uniqueName('order')}`]
      const tags = ['t1', 't2', 't3']
      const result = await runMain(ws, {
        images: repositories.join('\n'),
        tags: tags.join(','),
        context: 'app',
        ...login
      })
      expect(result.code).toBe(0)
      await expectRegistryDigests(result, repositories, tags)
      const lines = result.stdout.split('\n')
      for (const repository of repositories) {
        const firstDone = lines.findIndex((l) => l.startsWith(`[${repository}:t1] t1: digest: sha256:`))
        expect(firstDone).toBeGreaterThan(-1)
        for (const tag of ['t2', 't3']) {
          const started = lines.findIndex(
            (l) => l.startsWith(`[${repository}:${tag}] [command]`) && l.endsWith(` push ${repository}:${tag}`)
          )
          expect(started).toBeGreaterThan(firstDone)
        }
      }
    }
  )
})

describe('runs on one engine pushing the same repository:tag at once', () => {
  it('each report their own image, or fail saying so', async () => {
    const repository = uniqueName('race')
    const outcomes: { message: string; result: StepResult }[] = []
    for (let round = 0; round < 3; round++) {
      const runs = ['a', 'b', 'c'].map(async (who) => {
        const message = `${who}-${round}-${randomBytes(4).toString('hex')}`
        const result = await runMain(makeWorkspace(), {
          images: `${s.plain}/${repository}`,
          tags: 'shared',
          context: 'app',
          'build-args': `MESSAGE=${message}`,
          summary: 'false'
        })
        return { message, result }
      })
      outcomes.push(...(await Promise.all(runs)))
    }
    for (const { message, result } of outcomes) {
      if (result.code === 0) {
        // The digest the run reports is its own image: the manifest's config holds its label.
        expect((await labelsServed(s.plain, repository, result.outputs.digest)).message).toBe(message)
      } else {
        // Told, either after retries:attempts rounds, or at once where the engine lost the image with its name.
        expect(commands(result.log, 'error')).toEqual([
          expect.stringMatching(/^::error::Another run on this engine (kept re-tagging|re-tagged)/)
        ])
      }
    }
    expect(outcomes.filter((o) => o.result.code === 0).length).toBeGreaterThan(0)
  }, 240_000)
})

describe('two runs at once on one machine', () => {
  it('share no credentials, temp files or tags', async () => {
    const a = makeWorkspace()
    const b = makeWorkspace()
    // A self-hosted runner: one HOME and one RUNNER_TEMP for both jobs.
    const shared = { HOME: a.home, RUNNER_TEMP: a.runnerTemp }
    const userConfig = fs.readFileSync(path.join(a.home, '.docker/config.json'), 'utf8')
    const repositories = [`${s.tls}/${uniqueName('twin-a')}`, `${s.tls}/${uniqueName('twin-b')}`]
    const [ra, rb] = await Promise.all([
      runMain(a, { images: repositories[0], tags: 'v1', context: 'app', ...login }, shared),
      runMain(b, { images: repositories[1], tags: 'v1', context: 'app', ...login }, shared)
    ])
    expect([ra.code, rb.code]).toEqual([0, 0])
    // Each had its own temp folder (and DOCKER_CONFIG in it), and both are gone.
    expect(ra.state.temp).not.toBe(rb.state.temp)
    for (const r of [ra, rb]) expect(path.dirname(r.state.temp)).toBe(a.runnerTemp)
    expect(fs.readdirSync(a.runnerTemp)).toEqual([])
    expect(fs.readFileSync(path.join(a.home, '.docker/config.json'), 'utf8')).toBe(userConfig)
    // Each pushed its own image: different image IDs, each digest the registry's for its repository.
    expect(ra.outputs.imageid).not.toBe(rb.outputs.imageid)
    for (const [i, r] of [ra, rb].entries()) {
      const manifest = await fetchManifest(s.tls, repositories[i].slice(s.tls.length + 1), 'v1', login)
      expect(manifest.header).toBe(r.outputs.digest)
    }
  })
})
