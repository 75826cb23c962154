// End to end: the bundle against a real Docker engine and two real registries
// on loopback (scripts/services.sh). No mocks.
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  BUILDKIT_BUILD,
  buildkit,
  commands,
  docker,
  dockerShim,
  dockerStatus,
  dockerIn,
  fetchManifest,
  labelsServed,
  filesBelow,
  has,
  itWhere,
  literally,
  makeWorkspace,
  realDocker,
  removeWorkspaces,
  runMain,
  runPost,
  services,
  sha256File,
  skopeoRaw,
  uniqueName,
  visibleLog,
  world
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }
const basicAuth = Buffer.from(`${s.username}:${s.password}`).toString('base64')

afterAll(removeWorkspaces)

/** Asserts the digest outputs against the registry itself for every repository × tag. */
async function expectRegistryDigests(result: StepResult, repositories: string[], tags: string[]): Promise<void> {
  const refs = result.outputs.refs.split('\n')
  expect(refs).toHaveLength(repositories.length)
  for (const [i, repository] of repositories.entries()) {
    const [registry, ...rest] = repository.split('/')
    const auth = registry === s.tls ? login : undefined
    let repoDigest: string | undefined
    for (const tag of tags) {
      const manifest = await fetchManifest(registry, rest.join('/'), tag, auth)
      expect(manifest.status).toBe(200)
      expect(manifest.header).toBe(manifest.computed)
      repoDigest ??= manifest.header
      expect(manifest.header).toBe(repoDigest)
    }
    expect(refs[i]).toBe(`${repository}@${repoDigest}`)
  }
  expect(result.outputs.digest).toBe(refs[0].split('@')[1])
}

/** Nothing of the credentials is left: not in files, outputs, logs, and the user's config is untouched. */
function expectNoCredentialsLeft(ws: Workspace, result: StepResult, userConfigBefore: string): void {
  expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfigBefore)
  for (const file of filesBelow(ws.root)) {
    const text = fs.readFileSync(file, 'utf8')
    expect({ file, leaked: text.includes(s.password) || text.includes(basicAuth) }).toEqual({ file, leaked: false })
  }
  expect(visibleLog(result.log)).not.toContain(s.password)
  expect(result.log).not.toContain(basicAuth)
  expect(JSON.stringify(result.outputs)).not.toContain(s.password)
}

/** The environment a runner gives for an event: GITHUB_* and the payload file. */
function eventEnv(ws: Workspace, name: string, ref: string, sha: string, payload: object = {}): Record<string, string> {
  const file = path.join(ws.root, 'event.json')
  fs.writeFileSync(file, JSON.stringify(payload))
  return {
    GITHUB_EVENT_NAME: name,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: file,
    GITHUB_REPOSITORY: 'octo-org/Ship-App',
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

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

    const labels = labelsOf(`${repository}:1.2.3`)
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
    expect(labelsOf(`${repository}:pr-42`)).toMatchObject({
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

    const id = docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:v1`])
    expect(result.outputs.imageid).toBe(id)
    const labels = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', id])) as Record<
      string,
      string
    >
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
    for (const phase of ['Building', 'Pushing']) expect(result.log).toMatch(new RegExp(`^::group::${phase}`, 'm'))

    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
  })

  it('logs in to the TLS registry, pushes, and leaves no credentials behind', async () => {
    const ws = makeWorkspace()
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const repository = `${s.tls}/${uniqueName('secure')}`
    const result = await runMain(ws, { images: repository, tags: 'v2', context: 'app', ...login })
    expect(result.code).toBe(0)
    expect(result.log).toContain(`::add-mask::${s.password}`)
    expect(result.log).toMatch(new RegExp(`^::group::Logging in to ${literally(s.tls)} as ship`, 'm'))
    await expectRegistryDigests(result, [repository], ['v2'])
    // The credentials were in this run's DOCKER_CONFIG only: it is gone after the main step.
    expect(result.state.temp.startsWith(ws.runnerTemp)).toBe(true)
    expect(fs.existsSync(result.state.temp)).toBe(false)
    expectNoCredentialsLeft(ws, result, userConfig)
    // The registry refuses an anonymous read, so the push above really used the login.
    expect((await fetchManifest(s.tls, repository.slice(s.tls.length + 1), 'v2')).status).toBe(401)
  })

  it('gives docker the password on standard input only, never in an argument', async () => {
    const ws = makeWorkspace()
    // A `docker` first on PATH that records every argument vector, then runs the world's CLI.
    const shim = dockerShim(ws)
    const repository = `${s.tls}/${uniqueName('argv')}`
    const result = await runMain(
      ws,
      { images: repository, tags: 'v1', context: 'app', ...login },
      { PATH: `${shim.dir}:${process.env.PATH}` }
    )
    expect(result.code).toBe(0)
    const calls = shim.calls()
    expect(calls).toContain(`login --username ${s.username} --password-stdin ${s.tls}`)
    expect(calls.some((c) => c.startsWith('push '))).toBe(true)
    expect(calls.filter((c) => c.includes(s.password) || c.includes(basicAuth))).toEqual([])
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

  // The classic world's BuildKit path; with buildx every build is BuildKit, through buildx.
  itWhere(has.classicBuilder, 'with buildx every build is BuildKit, through buildx, not the CLI’s own')(
    'builds with BuildKit when the CLI uses it (Debian docker 20.10 with DOCKER_BUILDKIT=1)',
    async () => {
      const ws = makeWorkspace()
      const repository = `${s.plain}/${uniqueName('buildkit')}`
      const result = await runMain(
        ws,
        { images: repository, tags: 'bk', context: 'app', network: 'host', 'build-args': 'MESSAGE=kit' },
        { PATH: `/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
      )
      expect(result.code).toBe(0)
      // Debian's 20.10 CLI has BuildKit built in; where /usr/bin/docker has the buildx plugin
      // (a hosted runner), the action uses `buildx build --load` instead. Both are BuildKit.
      expect(result.log).toMatch(/^\[command\]\/usr\/bin\/docker (build|buildx build --load) /m)
      // BuildKit's progress lines (`#1 [internal] load build definition`), not the classic builder's `Step 1/5`.
      expect(result.log).toMatch(/^#\d+ \[internal\] load build definition/m)
      expect(result.log).not.toMatch(/^Step 1\//m)
      await expectRegistryDigests(result, [repository], ['bk'])
      const labels = JSON.parse(
        docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', result.outputs.imageid])
      ) as Record<string, string>
      expect(labels.message).toBe('kit')
    }
  )
})

describe('speed', () => {
  it('pushes the first tag of each repository before its other tags, and marks each line with its reference', async () => {
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
  })

  // pigz when installed (scripts/services.sh installs it), Node's zlib when not: both make a gzip file docker loads.
  for (const compressor of ['pigz', 'zlib'] as const) {
    it(`saves a .tar.gz with ${compressor} at the level asked for`, async () => {
      const ws = makeWorkspace()
      const repository = `${s.plain}/${uniqueName(`gz-${compressor}`)}`
      let env: Record<string, string> = {}
      if (compressor === 'zlib') {
        // A PATH with docker and nothing else, so pigz is not found.
        const bin = path.join(ws.root, 'bin')
        fs.mkdirSync(bin)
        fs.symlinkSync(realDocker(), path.join(bin, 'docker'))
        env = { PATH: bin }
      } else {
        expect(spawnSync('sh', ['-c', 'command -v pigz']).status).toBe(0)
      }
      const sizes: number[] = []
      for (const level of ['1', '9']) {
        const file = `image-${level}.tar.gz`
        const result = await runMain(
          ws,
          {
            images: repository,
            tags: 'gz',
            context: 'app',
            push: 'false',
            save: file,
            'save-compression-level': level
          },
          env
        )
        expect(result.code).toBe(0)
        expect(result.log).toContain(`gzip level ${level} by ${compressor},`)
        expect(JSON.parse(result.outputs.metadata).tarball.compressor).toBe(compressor)
        const tarball = path.join(ws.workspace, file)
        expect(result.outputs['tarball-digest']).toBe(sha256File(tarball))
        expect(spawnSync('gzip', ['--test', tarball]).status).toBe(0)
        expect(docker(['load', '--input', tarball])).toContain(`${repository}:gz`)
        sizes.push(fs.statSync(tarball).size)
      }
      // The containerd store saves its layers gzip-compressed already, so the level only shows on the classic store.
      if (!has.containerdStore) expect(sizes[1]).toBeLessThan(sizes[0])
    })
  }

  /** A Dockerfile whose RUN steps are the same in every workspace, so a cache can match them. */
  function cacheableDockerfile(marker: string): string {
    return [
      `FROM ${s.baseImage}`,
      'COPY hello.txt /hello.txt',
      `RUN echo ${marker} > /one`,
      `RUN echo ${marker} > /two`,
      ''
    ].join('\n')
  }

  // The classic builder pulls cache-from images; BuildKit reads them from the registry (the next test).
  itWhere(has.classicBuilder, 'buildx builds with BuildKit, which reads cache-from from the registry (next test)')(
    'reuses the layers of a cache-from image with the classic builder after the local images are gone',
    async () => {
      const marker = uniqueName('cache')
      const repository = `${s.plain}/${marker}`
      const first = await runMain(makeWorkspace(cacheableDockerfile(marker)), {
        images: repository,
        tags: 'cache',
        context: 'app'
      })
      expect(first.code).toBe(0)
      const forget = (): void => void docker(['image', 'rm', '--force', first.outputs.imageid])
      forget()

      // Without cache-from nothing is reused: the RUN steps run again.
      const control = await runMain(makeWorkspace(cacheableDockerfile(marker)), {
        images: repository,
        tags: 'control',
        context: 'app',
        push: 'false'
      })
      expect(control.code).toBe(0)
      // (COPY may come from any earlier build of the same file on this engine; the RUN steps are this test's own.)
      expect(control.log).toMatch(/RUN echo \S+ > \/one\n ---> Running in /)
      docker(['image', 'rm', '--force', control.outputs.imageid])
      forget()

      const cached = await runMain(makeWorkspace(cacheableDockerfile(marker)), {
        images: repository,
        tags: 'again',
        context: 'app',
        'cache-from': `${repository}:cache, ${repository}:missing`
      })
      expect(cached.code).toBe(0)
      expect(cached.log).toMatch(
        new RegExp(`^\\[${repository}:cache\\] \\[command\\]\\S+ pull ${repository}:cache$`, 'm')
      )
      expect(commands(cached.log, 'notice').filter((n) => !n.includes('classic builder'))).toEqual([
        expect.stringContaining(`cache-from: ${repository}:missing could not be pulled`)
      ])
      expect(cached.log).toMatch(/RUN echo \S+ > \/one\n ---> Using cache\n/)
      expect(cached.log).toMatch(/RUN echo \S+ > \/two\n ---> Using cache\n/)
      expect(cached.log).toMatch(/--cache-from \S+:cache --cache-from \S+:missing/)
    }
  )

  it('reuses the layers of a cache-from image with BuildKit, read from the registry with inline cache', async () => {
    const marker = uniqueName('bkcache')
    const repository = `${s.plain}/${marker}`
    const inputs = { images: repository, context: 'app', network: 'host', 'cache-from': `${repository}:cache` }
    // The first run has no cache to read yet; it publishes the image with its cache metadata.
    const first = await runMain(makeWorkspace(cacheableDockerfile(marker)), { ...inputs, tags: 'cache' }, buildkit())
    expect(first.code).toBe(0)
    expect(first.log).toMatch(new RegExp(`^\\[command\\]\\S+docker ${BUILDKIT_BUILD} `, 'm'))
    expect(first.log).toContain('BUILDKIT_INLINE_CACHE=1')
    docker(['image', 'rm', '--force', first.outputs.imageid])
    // The builder's cache: the engine's (the docker driver builds there too), or the remote builder's own.
    const again = makeWorkspace(cacheableDockerfile(marker))
    if (has.remoteBuilder) dockerIn(again, ['buildx', 'prune', '--all', '--force'])
    else docker(['builder', 'prune', '--all', '--force'])

    const cached = await runMain(again, { ...inputs, tags: 'again' }, buildkit())
    expect(cached.code).toBe(0)
    expect(cached.log).not.toMatch(/\] pull /)
    expect(cached.log).toMatch(/importing cache manifest from/)
    expect(cached.log.match(/^#\d+ CACHED$/gm)?.length).toBeGreaterThanOrEqual(2)
  })
})

describe('save', () => {
  // The .tar case replaces a tarball left by an earlier run; the .tar.gz case creates its folders.
  for (const file of ['out/image.tar', 'deep/er/image.tar.gz']) {
    it(`saves every tag to ${path.extname(file)} and docker load brings them back`, async () => {
      const ws = makeWorkspace()
      if (file.startsWith('out/')) {
        fs.mkdirSync(path.join(ws.workspace, 'out'))
        fs.writeFileSync(path.join(ws.workspace, file), 'an earlier run')
      }
      const repository = `${s.plain}/${uniqueName('saved')}`
      const result = await runMain(ws, { images: repository, tags: 'a,b', context: 'app', push: 'false', save: file })
      expect(result.code).toBe(0)
      const tarball = path.join(ws.workspace, file)
      expect(result.outputs.tarball).toBe(tarball)
      expect(result.outputs['tarball-digest']).toBe(sha256File(tarball))
      expect(result.outputs.digest).toBe('')
      expect(result.outputs.refs).toBe('')
      expect(fs.readdirSync(path.dirname(tarball))).toEqual([path.basename(tarball)])
      const magic = fs.readFileSync(tarball).subarray(0, 2).toString('hex')
      expect(magic === '1f8b').toBe(file.endsWith('.gz'))
      expect((await fetchManifest(s.plain, repository.slice(s.plain.length + 1), 'a')).status).toBe(404)

      docker(['image', 'rm', `${repository}:a`, `${repository}:b`])
      expect(dockerStatus(['image', 'inspect', `${repository}:a`])).not.toBe(0)
      const loaded = docker(['load', '--input', tarball])
      expect(loaded).toContain(`${repository}:a`)
      expect(loaded).toContain(`${repository}:b`)
      for (const tag of ['a', 'b'])
        expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:${tag}`])).toBe(result.outputs.imageid)
    })
  }
})

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
    docker(['image', 'rm', `${first}:sha-1234567`])

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

describe('failures', () => {
  it('fails a wrong password with a clear error, builds nothing, and leaves nothing behind', async () => {
    const ws = makeWorkspace()
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const wrong = 'not-the-password-' + uniqueName('x')
    const result = await runMain(ws, {
      images: `${s.tls}/${uniqueName('denied')}`,
      context: 'app',
      registry: s.tls,
      username: s.username,
      password: wrong
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    // Engine 26 tries a refused login to a loopback registry again over plain HTTP, and reports that 400.
    const refused = world.engine.startsWith('20.') ? '401 Unauthorized' : '400 Bad Request'
    expect(errors[0]).toMatch(
      new RegExp(
        `^::error::Login to ${literally(s.tls)} as ship failed: .*${refused}.*Check the username and password inputs`
      )
    )
    expect(result.log).not.toMatch(/\[command\]\S+ (buildx )?build/)
    expect(result.log).toContain(`::add-mask::${wrong}`)
    expect(visibleLog(result.log)).not.toContain(wrong)
    expect(result.outputs).toEqual({})
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfig)
  })

  it('refuses bad input with one ::error:: per problem before any docker command', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, {
      images: 'LOCALHOST:5000/app, ok/app:v1',
      tags: 'good, -bad',
      push: 'maybe',
      context: 'missing-folder',
      save: 'x.zip'
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors.map((e) => /^::error::Input '([a-z-]+)'/.exec(e)?.[1])).toEqual([
      'images',
      'images',
      'tags',
      'push',
      'context',
      'save'
    ])
    for (const e of errors) expect(e).toContain('Fix: ')
    expect(result.log).not.toContain('[command]')
    expect(result.log).not.toMatch(/\n\s+at /) // no stack trace
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  })

  it('names the docker command and its error when the build fails without a Dockerfile line', async () => {
    const ws = makeWorkspace()
    // A remote context that does not answer: the build fails before any Dockerfile is read.
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('broken')}`,
      context: 'http://127.0.0.1:9/context.tar'
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::.*127\.0\.0\.1:9.* \(docker (buildx )?build failed, exit code \d+\)$/)
    expect(errors[0]).not.toMatch(/^::error file=/)
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  })

  it('puts a missing base image on the FROM line', async () => {
    const base = `${s.plain}/${uniqueName('no-such-base')}:v1`
    const ws = makeWorkspace(`FROM ${base}\nRUN exit 3\n`)
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('broken')}`, context: 'app' })
    expect(result.code).toBe(1)
    // The engine's words (20.10) or BuildKit's (buildx), on the FROM line either way.
    const reason = has.classicBuilder
      ? ` failed: manifest for ${base} not found: manifest unknown`
      : `: the base image ${base} could not be loaded: ${base}: not found`
    expect(commands(result.log, 'error')).toEqual([
      `::error title=docker build failed,file=app/Dockerfile,line=1::app/Dockerfile:1: FROM ${base}${reason}`
    ])
  })

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`leaves no credentials when the main step is stopped with ${signal} during the build`, async () => {
      const ws = makeWorkspace(`FROM ${s.baseImage}\nRUN sleep 20\n`)
      const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
      const repository = `${s.tls}/${uniqueName('stopped')}`
      const main = await runMain(
        ws,
        { images: repository, context: 'app', ...login },
        {},
        { when: /^::group::Building/m, signal }
      )
      expect(main.code).toBe(signal === 'SIGKILL' ? 137 : 143)
      expect(main.state.temp.startsWith(ws.runnerTemp)).toBe(true)
      if (signal === 'SIGKILL') {
        // Killed outright, the main step could not clean up: its login is still on disk
        // until the post step (post-if: always()) removes it.
        expect(fs.readFileSync(path.join(main.state.temp, 'docker-config/config.json'), 'utf8')).toContain(s.tls)
      } else {
        // SIGTERM (a cancelled job): the main step removes its own temp folder on the way out.
        expect(fs.existsSync(main.state.temp)).toBe(false)
        expect(main.log).toContain('Stopped by SIGTERM')
      }
      const post = await runPost(ws, main)
      expect(post.code).toBe(0)
      expectNoCredentialsLeft(ws, main, userConfig)
    }, 60_000)
  }
})

describe('the user docker setup stays usable', () => {
  // Real buildx, found through this run's DOCKER_CONFIG (the login makes one; its
  // cli-plugins and contexts are the user's), with the user's builders through
  // BUILDX_CONFIG.
  itWhere(has.buildx, 'no buildx to find')(
    'finds buildx through this run’s DOCKER_CONFIG, and keeps its state in the user’s BUILDX_CONFIG',
    async () => {
      const ws = makeWorkspace()
      const repository = `${s.tls}/${uniqueName('plugin')}`
      const result = await runMain(ws, { images: repository, tags: 'p1', context: 'app', ...login })
      expect(result.code).toBe(0)
      // (--load and docker push, or --push: the builder world's test below says which.)
      expect(result.log).toMatch(/\[command\]\S+docker buildx build --(load|push) --provenance=false --file /)
      // The current builder: buildx's docker driver, or the one setup-buildx-action made current.
      expect(result.log).toContain(
        `building with "${world.builder!.name}" instance using ${world.builder!.driver} driver`
      )
      await expectRegistryDigests(result, [repository], ['p1'])
      // The run's own config folder is gone; buildx wrote its state into the user's buildx folder.
      expect(fs.existsSync(result.state.temp)).toBe(false)
      expect(fs.readdirSync(path.join(ws.home, '.docker/buildx'))).toEqual(expect.arrayContaining(['activity']))
    }
  )

  // A builder that does not exist is buildx's error; the builder world runs a real one (the next test).
  itWhere(has.buildx, 'without buildx the builder input is refused as an input (failures.test.ts)')(
    'passes builder to buildx, which names a builder it does not have',
    async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws)
      const repository = `${s.plain}/${uniqueName('builder')}`
      const result = await runMain(
        ws,
        { images: repository, tags: 'b1', context: 'app', builder: 'no-such-builder' },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(shim.calls().find((c) => c.startsWith('buildx build '))).toMatch(
        /^buildx build --builder no-such-builder --load /
      )
      expect(commands(result.log, 'error')).toEqual([expect.stringContaining('no-such-builder')])
    }
  )

  itWhere(has.remoteBuilder, 'the builder world has the only builder besides buildx’s default one')(
    'builds on the builder it is given, when another one is current',
    async () => {
      const ws = makeWorkspace()
      // buildx's own default (the engine's docker driver) is current, as without setup-buildx-action's `use`.
      fs.rmSync(path.join(ws.home, '.docker/buildx/current'))
      expect(dockerIn(ws, ['buildx', 'inspect'])).toMatch(/^Driver: +docker$/m)
      const name = world.builder!.name
      const repository = `${s.tls}/${uniqueName('named-builder')}`
      const result = await runMain(ws, { images: repository, tags: 'b1', context: 'app', builder: name, ...login })
      expect(result.code).toBe(0)
      expect(result.log).toMatch(new RegExp(`\\[command\\]\\S+docker buildx build --builder ${name} `))
      expect(result.log).toContain(`building with "${name}" instance using remote driver`)
      await expectRegistryDigests(result, [repository], ['b1'])
    }
  )

  it('uses the logins already in the user’s config when it is given no credentials', async () => {
    const ws = makeWorkspace()
    const config = path.join(ws.home, '.docker/config.json')
    fs.writeFileSync(config, JSON.stringify({ auths: { [s.tls]: { auth: basicAuth } } }))
    const before = fs.readFileSync(config, 'utf8')
    const repository = `${s.tls}/${uniqueName('prelogged')}`
    const result = await runMain(ws, { images: repository, tags: 'x', context: 'app' })
    expect(result.code).toBe(0)
    expect(result.log).not.toContain('Logging in')
    await expectRegistryDigests(result, [repository], ['x'])
    expect(fs.readFileSync(config, 'utf8')).toBe(before)
  })
})

/** The platforms of an index, `os/arch`, and the digest of each. */
function indexPlatforms(body: string): Record<string, string> {
  const index = JSON.parse(body) as { manifests: { digest: string; platform: { os: string; architecture: string } }[] }
  return Object.fromEntries(
    index.manifests
      .filter((m) => m.platform.os !== 'unknown')
      .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest])
  )
}

/** A Dockerfile of COPY steps only: it builds for any platform without emulation. */
const scratchDockerfile = (marker: string): string =>
  ['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', `LABEL marker=${marker}`, ''].join('\n')

describe('a builder outside the engine (setup-buildx-action)', () => {
  // Its image reaches the engine only as a tarball (--load), which the engine then pushes again;
  // the builder can push it itself, as it does several platforms (issue 22).
  itWhere(has.remoteBuilder, 'the engine’s own BuildKit writes the image into the engine, at no cost')(
    'pushes one platform with the builder itself: no --load, no docker push',
    async () => {
      const ws = makeWorkspace()
      const repository = `${s.tls}/${uniqueName('direct')}`
      const result = await runMain(ws, { images: repository, tags: 'v1, v2', context: 'app', ...login })
      expect(result.code).toBe(0)
      expect(result.log).toMatch(/\[command\]\S+docker buildx build --push /)
      expect(result.log).not.toContain('--load')
      expect(result.log).not.toMatch(/\[command\]\S+ push /)
      await expectRegistryDigests(result, [repository], ['v1', 'v2'])
    }
  )
})

describe('several platforms, provenance (buildx)', () => {
  // Without buildx both are refused before any docker command (failures.test.ts).
  const withBuildx = itWhere(has.buildx, 'without buildx several platforms and provenance are refused as inputs')
  withBuildx('pushes two platforms to the TLS registry as one index, and outputs the digest it serves', async () => {
    const ws = makeWorkspace(scratchDockerfile(uniqueName('multi')))
    const repository = `${s.tls}/${uniqueName('multi')}`
    const result = await runMain(ws, {
      images: repository,
      tags: 'v1, latest',
      context: 'app',
      platforms: 'linux/amd64, linux/arm64',
      ...login
    })
    expect(result.code).toBe(0)
    // One buildx command pushed every tag; no docker push, nothing loaded.
    expect(result.log).toMatch(
      /\[command\]\S+docker buildx build --push --provenance=false .*--platform linux\/amd64,linux\/arm64 /
    )
    expect(result.log).not.toMatch(/\[command\]\S+ push /)
    expect(result.log).not.toContain('--load')
    await expectRegistryDigests(result, [repository], ['v1', 'latest'])
    const served = await fetchManifest(s.tls, repository.slice(s.tls.length + 1), 'v1', login)
    expect(JSON.parse(served.body.toString()).mediaType).toMatch(/manifest\.list\.v2\+json|image\.index\.v1\+json/)
    const platforms = indexPlatforms(served.body.toString())
    expect(Object.keys(platforms).sort()).toEqual(['linux/amd64', 'linux/arm64'])
    const metadata = JSON.parse(result.outputs.metadata) as { platforms: { platform: string; digest: string }[] }
    expect(metadata.platforms).toEqual([
      { platform: 'linux/amd64', digest: platforms['linux/amd64'] },
      { platform: 'linux/arm64', digest: platforms['linux/arm64'] }
    ])
    expect(result.outputs.imageid).toBe(result.outputs.digest)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    expect(summary).toContain('| `linux/arm64` |')
    // Each platform's manifest is there too, by the digest metadata gives.
    for (const digest of Object.values(platforms))
      expect((await fetchManifest(s.tls, repository.slice(s.tls.length + 1), digest, login)).computed).toBe(digest)
  })

  withBuildx(
    'reads each platform from the plain registry through buildx imagetools, for every repository',
    async () => {
      const ws = makeWorkspace(scratchDockerfile(uniqueName('imagetools')))
      const name = uniqueName('multi')
      const repositories = [`${s.plain}/${name}`, `${s.plain}/mirror/${name}`]
      const result = await runMain(ws, {
        images: repositories.join('\n'),
        tags: 'v1',
        context: 'app',
        platforms: 'linux/arm64\nlinux/amd64\nlinux/arm64'
      })
      expect(result.code).toBe(0)
      expect(result.log).toContain('--platform linux/arm64,linux/amd64 ')
      await expectRegistryDigests(result, repositories, ['v1'])
      for (const repository of repositories)
        expect(result.log).toContain(`${repository}@${result.outputs.digest}: the registry serves it (`)
      const platforms = indexPlatforms(skopeoRaw(`${repositories[0]}:v1`))
      expect(JSON.parse(result.outputs.metadata).platforms).toEqual([
        { platform: 'linux/arm64', digest: platforms['linux/arm64'] },
        { platform: 'linux/amd64', digest: platforms['linux/amd64'] }
      ])
    }
  )

  withBuildx('pushes one platform as a plain manifest with provenance false (the default)', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('plain-manifest')}`
    const result = await runMain(ws, { images: repository, tags: 'v1', context: 'app', platforms: 'linux/amd64' })
    expect(result.code).toBe(0)
    const raw = JSON.parse(skopeoRaw(`${repository}:v1`)) as { mediaType: string; manifests?: unknown }
    expect(raw.mediaType).toMatch(/image\.manifest\.v1\+json|distribution\.manifest\.v2\+json/)
    expect(raw.manifests).toBeUndefined()
    await expectRegistryDigests(result, [repository], ['v1'])
    // In the containerd image store the image ID is the manifest digest, which is what was pushed;
    // on the classic store it is the config's digest.
    if (has.containerdStore) expect(result.outputs.imageid).toBe(result.outputs.digest)
    else expect(result.outputs.imageid).toBe(JSON.parse(skopeoRaw(`${repository}:v1`)).config.digest)
    expect(JSON.parse(result.outputs.metadata).platforms).toEqual([
      { platform: 'linux/amd64', digest: result.outputs.digest }
    ])
  })

  withBuildx('pushes one platform with its provenance attestation as an index when asked to', async () => {
    const ws = makeWorkspace(scratchDockerfile(uniqueName('provenance')))
    const repository = `${s.plain}/${uniqueName('provenance')}`
    const result = await runMain(ws, {
      images: repository,
      tags: 'v1',
      context: 'app',
      platforms: 'linux/amd64',
      provenance: 'mode=max'
    })
    expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({ code: 0, errors: [] })
    expect(result.log).toMatch(/\[command\]\S+docker buildx build --push --provenance=mode=max /)
    await expectRegistryDigests(result, [repository], ['v1'])
    const index = JSON.parse(skopeoRaw(`${repository}:v1`)) as {
      manifests: { platform: { os: string }; annotations?: Record<string, string> }[]
    }
    expect(index.manifests.map((m) => m.platform.os).sort()).toEqual(['linux', 'unknown'])
    expect(index.manifests.find((m) => m.platform.os === 'unknown')?.annotations).toMatchObject({
      'vnd.docker.reference.type': 'attestation-manifest'
    })
    expect(JSON.parse(result.outputs.metadata).platforms).toEqual([
      { platform: 'linux/amd64', digest: indexPlatforms(skopeoRaw(`${repository}:v1`))['linux/amd64'] }
    ])
  })
})

describe('build options with the builder of each world', () => {
  it('builds the target stage with its build args', async () => {
    const marker = uniqueName('target')
    const ws = makeWorkspace(
      [
        `FROM ${s.baseImage} AS first`,
        'ARG STAGE_NOTE=unset',
        'RUN echo "first $STAGE_NOTE" > /stage',
        `FROM ${s.baseImage} AS second`,
        `RUN echo second ${marker} > /stage`,
        ''
      ].join('\n')
    )
    const repository = `${s.plain}/${uniqueName('target')}`
    const result = await runMain(ws, {
      images: repository,
      tags: 't',
      context: 'app',
      target: 'first',
      'build-args': 'STAGE_NOTE=from e2e',
      push: 'false'
    })
    expect(result.code).toBe(0)
    expect(docker(['run', '--rm', '--network', 'none', `${repository}:t`, 'cat', '/stage'])).toBe('first from e2e')
  })
})
