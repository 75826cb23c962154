// Building, end to end, with the builder of each world: build options (target, build
// args), the CLI's BuildKit, secrets, cache-from, reproducible builds, several
// platforms and provenance (buildx), and a builder outside the engine.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { GitServer, makeRepository } from './git-server.js'
import {
  setup,
  fetchBlob,
  buildkit,
  BUILDKIT_BUILD,
  commands,
  docker,
  dockerIn,
  dockerShim,
  eventEnv,
  expectRegistryDigests,
  fetchManifest,
  filesBelow,
  has,
  itWhere,
  configServed,
  labelsServed,
  makeWorkspace,
  runMain,
  skopeoRaw,
  uniqueName,
  visibleLog
} from './harness.js'

const { s, login } = setup()

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

describe('BuildKit', () => {
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

describe('secrets of several lines', () => {
  // 52 bytes over three lines, the later ones holding `=`: a wrapped key or an .npmrc.
  const value = `//registry.example/:_authToken=${randomBytes(4).toString('hex')}\nalways-auth=true\nx==`
  const dockerfile = [
    `FROM ${s.baseImage}`,
    `RUN echo ${uniqueName('run')} > /run-id`,
    'RUN --mount=type=secret,id=npmrc sha256sum /run/secrets/npmrc > /npmrc.sha256 && wc -c < /run/secrets/npmrc > /npmrc.size',
    ''
  ].join('\n')

  it('reach RUN whole when written as id<<EOF', async () => {
    const ws = makeWorkspace(dockerfile)
    const repository = `${s.plain}/${uniqueName('heredoc')}`
    const result = await runMain(
      ws,
      { images: repository, tags: 'v1', context: 'app', network: 'host', secrets: `npmrc<<EOF\n${value}\nEOF` },
      { PATH: `/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
    )
    expect(result.code).toBe(0)
    const seen = docker(['run', '--rm', '--network', 'none', `${repository}:v1`, 'cat', '/npmrc.sha256', '/npmrc.size'])
    expect(seen.split('\n')).toEqual([
      `${createHash('sha256').update(value).digest('hex')}  /run/secrets/npmrc`,
      String(Buffer.byteLength(value))
    ])
    expect(visibleLog(result.log)).not.toContain('always-auth=true')
  })

  it('are refused, naming the line and not its text, when the lines are given as they come', async () => {
    const ws = makeWorkspace(dockerfile)
    const shim = dockerShim(ws)
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('split')}`, context: 'app', secrets: `npmrc=${value}` },
      { PATH: `${shim.dir}:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
    )
    expect(result.code).toBe(1)
    expect(shim.calls()).toEqual([])
    const errors = commands(result.log, 'error')
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::Input 'secrets': line 2 gives a secret that no RUN --mount=type=secret in Dockerfile uses/
      ),
      expect.stringMatching(/^::error::Input 'secrets': line 3 gives a secret/)
    ])
    const visible = visibleLog(result.log)
    for (const piece of ['always-auth', 'x==']) expect(visible).not.toContain(piece)
    // No mask that would hide every `true` or `=` in the rest of the job's log.
    const masks = result.log.split('\n').filter((l) => l.startsWith('::add-mask::'))
    expect(masks).not.toContain('::add-mask::true')
    expect(masks).not.toContain('::add-mask::=')
  })
})

describe('secrets', () => {
  const secret = `s3cr3t-${createHash('sha256').update(uniqueName('secret')).digest('hex').slice(0, 16)}`
  // BuildKit leaves secret values out of its cache keys, so the steps are made unique to this run.
  const dockerfile = [
    `FROM ${s.baseImage}`,
    `RUN echo ${uniqueName('run')} > /run-id`,
    'RUN --mount=type=secret,id=token sha256sum /run/secrets/token > /token.sha256',
    ''
  ].join('\n')

  it('reach a BuildKit build as a secret mount, and nowhere else', async () => {
    const ws = makeWorkspace(dockerfile)
    // Without buildx BuildKit is the Debian 20.10 CLI's; with it, buildx.
    const shim = dockerShim(ws, has.classicBuilder ? { target: '/usr/bin/docker' } : {})
    const repository = `${s.plain}/${uniqueName('secret')}`
    const result = await runMain(
      ws,
      {
        images: repository,
        tags: 'v1',
        context: 'app',
        network: 'host',
        secrets: `token=${secret}`,
        'build-args': 'API_TOKEN=not-really'
      },
      { ...buildkit(), PATH: `${shim.dir}:${buildkit().PATH ?? process.env.PATH}` }
    )
    expect(result.code).toBe(0)
    // The build saw the value: the file holds its hash (not the value).
    const expected = createHash('sha256').update(secret).digest('hex')
    expect(docker(['run', '--rm', '--network', 'none', `${repository}:v1`, 'cat', '/token.sha256'])).toBe(
      `${expected}  /run/secrets/token`
    )
    // …and it is nowhere else: argv, log, outputs, files, the image's history and config.
    expect(shim.calls().find((c) => /^(buildx )?build /.test(c))).toContain('--secret id=token,env=SHIP_IMAGE_SECRET_1')
    expect(shim.calls().filter((c) => c.includes(secret))).toEqual([])
    expect(visibleLog(result.log)).not.toContain(secret)
    expect(result.log).toContain(`::add-mask::${secret}`)
    expect(JSON.stringify(result.outputs)).not.toContain(secret)
    for (const file of filesBelow(ws.root))
      expect({ file, leaked: fs.readFileSync(file, 'utf8').includes(secret) }).toEqual({ file, leaked: false })
    expect(docker(['history', '--no-trunc', `${repository}:v1`])).not.toContain(secret)
    expect(docker(['image', 'inspect', `${repository}:v1`])).not.toContain(secret)
    // A credential-like build arg is warned about.
    expect(commands(result.log, 'warning')).toEqual([
      expect.stringContaining('The build arg API_TOKEN looks like a credential')
    ])
  })

  // With buildx there is always BuildKit.
  itWhere(has.classicBuilder, 'buildx always has BuildKit')(
    'need BuildKit: the classic builder gets a clear error before any docker command',
    async () => {
      const ws = makeWorkspace(dockerfile)
      const shim = dockerShim(ws)
      const result = await runMain(
        ws,
        { images: `${s.tls}/${uniqueName('nosecret')}`, context: 'app', secrets: `token=${secret}`, ...login },
        { PATH: `${shim.dir}:${process.env.PATH}`, DOCKER_BUILDKIT: undefined }
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        expect.stringMatching(/^::error::Input 'secrets': build secrets need BuildKit, .+ Fix: .+/)
      ])
      expect(shim.calls()).toEqual([])
      expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    }
  )
})

describe('cache-from', () => {
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
    // A builder outside the engine pushes the image itself; the others build into the engine.
    const build = has.remoteBuilder ? 'buildx build --push --provenance=false' : BUILDKIT_BUILD
    expect(first.log).toMatch(new RegExp(`^\\[command\\]\\S+docker ${build} `, 'm'))
    expect(first.log).toContain('BUILDKIT_INLINE_CACHE=1')
    if (!has.remoteBuilder) docker(['image', 'rm', '--force', first.outputs.imageid])
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
      expect((await configServed(s.plain, name, 'main')).created).toMatch(/^2025-03-04T04:06:07(\.0+)?Z$/)
    }
  })
})

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
  // Without buildx both are refused before any docker command (inputs.test.ts), and so
  // they are on buildx's docker driver with the classic image store (builders.test.ts).
  const withBuildx = itWhere(has.buildx, 'without buildx several platforms and provenance are refused as inputs')
  const withIndex = itWhere(
    has.multiPlatform,
    'this builder makes no image index: several platforms and provenance are refused as inputs'
  )
  withIndex('pushes two platforms to the TLS registry as one index, and outputs the digest it serves', async () => {
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

  withIndex('reads each platform from the plain registry through buildx imagetools, for every repository', async () => {
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
  })

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

  withIndex('pushes one platform with its provenance attestation as an index when asked to', async () => {
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

describe('a Git context with a token, and the provenance pushed beside the image (issue 23: 2)', () => {
  // A Git server on 127.0.0.1 (BuildKit fetches the context: the remote builder and the engine's own are on the host's network).
  let root = ''
  let server: GitServer
  let host = ''
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-git-'))
    server = new GitServer(root)
    makeRepository(root, 'app', {
      Dockerfile: ['FROM scratch', 'COPY hello.txt /hello.txt', ''].join('\n'),
      'hello.txt': `hello from ${uniqueName('git')}\n`
    })
    host = await server.start()
  })
  afterAll(async () => {
    await server.close()
    fs.rmSync(root, { recursive: true, force: true })
  })

  /** Every byte the registry serves of an image: its index, each manifest, and each config and layer (the attestation's statement among them). */
  async function everything(name: string, tag: string): Promise<string[]> {
    const index = await fetchManifest(s.plain, name, tag)
    const texts = [index.body.toString()]
    const manifests = (JSON.parse(index.body.toString()) as { manifests?: { digest: string }[] }).manifests ?? []
    for (const { digest } of manifests) {
      const manifest = await fetchManifest(s.plain, name, digest)
      texts.push(manifest.body.toString())
      const { config, layers } = JSON.parse(manifest.body.toString()) as {
        config: { digest: string }
        layers: { digest: string }[]
      }
      for (const blob of [config, ...layers]) texts.push((await fetchBlob(s.plain, name, blob.digest)).body.toString())
    }
    return texts
  }

  itWhere(
    has.multiPlatform,
    'no attestation is pushed here: without buildx provenance is an input error, and the docker driver on the classic image store refuses it'
  )('leaves the token out of the pushed provenance (mode=max): BuildKit gets it as its Git auth secret', async () => {
    const token = `ghp_${randomBytes(12).toString('hex')}`
    const name = uniqueName('git-provenance')
    const result = await runMain(makeWorkspace(), {
      images: `${s.plain}/${name}`,
      tags: 'v1',
      context: `http://x-access-token:${token}@${host}/app.git#main`,
      provenance: 'mode=max'
    })
    expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({ code: 0, errors: [] })
    const texts = await everything(name, 'v1')
    // The attestation was read: it names the context, without the token.
    expect(texts.some((t) => t.includes(`${host}/app.git`))).toBe(true)
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64')
    expect(texts.filter((t) => t.includes(token) || t.includes(basic))).toEqual([])
    // The server saw the fetch, the token in an Authorization header (BuildKit's Git auth secret), never in the URL.
    expect(server.requests.filter((r) => r.authorization !== undefined)).not.toEqual([])
    expect(server.requests.filter((r) => r.url.includes(token))).toEqual([])
    for (const { authorization } of server.requests.filter((r) => r.authorization !== undefined)) {
      const [scheme, value] = authorization!.split(' ')
      expect(scheme.toLowerCase()).toBe('basic')
      expect(Buffer.from(value, 'base64').toString()).toContain(token)
    }
    expect(visibleLog(result.log)).not.toContain(token)
  })
})
