// Tags and labels, end to end: what a Git event (a tag push, a branch, a pull request)
// makes of them, the variants of tag-suffix, the OCI labels, the classic builder's one
// LABEL line, and a repository written in uppercase (README's recipes) lowercased.
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  docker,
  eventEnv,
  expectRegistryDigests,
  fetchManifest,
  has,
  itWhere,
  labelsServed,
  makeWorkspace,
  runMain,
  uniqueName
} from './harness.js'

const { s, login } = setup()

/** The labels of a pushed image on the plain registry, as the registry serves them (in every world). */
function labelsPushed(repository: string, tag: string): Promise<Record<string, string>> {
  return labelsServed(s.plain, repository.slice(s.plain.length + 1), tag)
}

/** The labels of an image in the engine. */
function labelsOf(image: string): Record<string, string> {
  return JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', image])) as Record<
    string,
    string
  >
}

describe('tags and labels from the Git event', () => {
  const sha = 'c0ffee00112233445566778899aabbccddeeff00'

  it('pushes 1.2.3, 1.2, 1, latest and sha-<7> for a tag push of v1.2.3, with the OCI labels', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('Release')
    const started = Date.now()
    // The registry input gives the host; the uppercase name is lowercased, as ${{ github.repository }} needs.
    const result = await runMain(
      ws,
      { images: `octo/${name}`, registry: s.plain, context: 'app' },
      eventEnv(ws, 'push', 'refs/tags/v1.2.3', sha)
    )
    expect(result.code).toBe(0)
    const repository = `${s.plain}/octo/${name.toLowerCase()}`
    expect(commands(result.log, 'notice').filter((n) => !n.includes('classic builder'))).toEqual([
      expect.stringContaining(`using '${`octo/${name}`.toLowerCase()}'`)
    ])
    const tags = ['1.2.3', '1.2', '1', 'latest', 'sha-c0ffee0']
    expect(result.outputs.tags.split('\n')).toEqual(tags.map((t) => `${repository}:${t}`))
    expect(result.outputs.version).toBe('1.2.3')
    await expectRegistryDigests(result, [repository], tags)

    const labels = await labelsPushed(repository, '1.2.3')
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/octo-org/Ship-App',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.title': 'Ship-App'
    })
    const created = Date.parse(labels['org.opencontainers.image.created'])
    expect(created).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000)
    expect(created).toBeLessThanOrEqual(Date.now())
    // The metadata output lists the labels the action set (the Dockerfile's own LABEL comes on top).
    const metadataLabels = JSON.parse(result.outputs.metadata).labels as Record<string, string>
    expect(Object.keys(metadataLabels).sort()).toEqual(
      ['created', 'revision', 'source', 'title', 'version'].map((k) => `org.opencontainers.image.${k}`)
    )
    expect(labels).toMatchObject(metadataLabels)
  })

  it('pushes the variant tags 1.2.3-alpine, 1.2-alpine, 1-alpine and alpine for tag-suffix -alpine on v1.2.3', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('variant')}`
    const result = await runMain(
      ws,
      { images: repository, context: 'app', 'tag-suffix': '-alpine' },
      eventEnv(ws, 'push', 'refs/tags/v1.2.3', sha)
    )
    expect(result.code).toBe(0)
    const tags = ['1.2.3-alpine', '1.2-alpine', '1-alpine', 'alpine', 'sha-c0ffee0-alpine']
    expect(result.outputs.tags.split('\n')).toEqual(tags.map((t) => `${repository}:${t}`))
    expect(result.outputs.version).toBe('1.2.3')
    await expectRegistryDigests(result, [repository], tags)
    // The variant owns no plain version tag and no latest: those are the main image's.
    const name = repository.slice(s.plain.length + 1)
    for (const tag of ['1.2.3', '1.2', 'latest']) expect((await fetchManifest(s.plain, name, tag)).status).toBe(404)
    expect(await labelsServed(s.plain, name, '1.2.3-alpine')).toMatchObject({
      'org.opencontainers.image.version': '1.2.3'
    })
  })

  // The classic builder commits a step (with a container) per --label: the action gives them as one LABEL line.
  itWhere(has.classicBuilder, 'buildx builds with BuildKit, which takes each --label without a step')(
    'gives the classic builder every label in one step, values as written',
    async () => {
      const ws = makeWorkspace()
      const repository = `${s.plain}/${uniqueName('onelabel')}`
      const tricky = 'costs $HOME, "quoted", a \\ b'
      const result = await runMain(
        ws,
        { images: repository, tags: 'v1', context: 'app', labels: `team=${tricky}\nempty=`, push: 'false' },
        eventEnv(ws, 'push', 'refs/tags/v1.2.3', sha)
      )
      expect(result.code).toBe(0)
      expect(result.log).toMatch(/\[command\]\S+docker build --file - /)
      const history = docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', `${repository}:v1`]).split('\n')
      // The Dockerfile's own LABEL (message) and the action's one line: two LABEL steps, not seven.
      expect(history.filter((h) => /LABEL/.test(h))).toHaveLength(2)
      expect(labelsOf(`${repository}:v1`)).toMatchObject({
        team: tricky,
        empty: '',
        message: 'none',
        'org.opencontainers.image.version': '1.2.3',
        'org.opencontainers.image.revision': sha
      })
    }
  )

  it('pushes pr-42 and the PR head commit for a pull request, never the merge commit', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('pr')}`
    const head = '5eed5eed00112233445566778899aabbccddeeff'
    const env = eventEnv(ws, 'pull_request', 'refs/pull/42/merge', sha, {
      pull_request: { number: 42, head: { sha: head } }
    })
    const result = await runMain(ws, { images: repository, context: 'app' }, env)
    expect(result.code).toBe(0)
    expect(result.outputs.tags.split('\n')).toEqual([`${repository}:pr-42`, `${repository}:sha-5eed5ee`])
    expect(result.outputs.version).toBe('pr-42')
    await expectRegistryDigests(result, [repository], ['pr-42', 'sha-5eed5ee'])
    for (const tag of ['latest', 'sha-c0ffee0'])
      expect((await fetchManifest(s.plain, repository.split('/')[1], tag)).status).toBe(404)
    expect(await labelsPushed(repository, 'pr-42')).toMatchObject({
      'org.opencontainers.image.revision': head,
      'org.opencontainers.image.version': 'pr-42'
    })
  })

  it('refuses a Docker Hub repository without an account before any docker command', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, { images: 'app', username: 'alice', password: 'x', context: 'app' })
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining("Fix: write 'alice/app'")])
    expect(result.log).not.toContain('[command]')
  })
})

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
})
