// Across jobs and registries, end to end in each world: a tarball saved by one job
// (.tar.zst and .tar.gz) and pushed by another with `source-image`, on a runner of
// its own; logins to two registries in one step; a login kept for the later steps
// of the job; and the local tags a run leaves (cleanup).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FaultProxy } from './fault-proxy.js'
import {
  commands,
  docker,
  dockerStatus,
  fetchManifest,
  filesBelow,
  makeWorkspace,
  parseCommandFile,
  proxyTls,
  removeWorkspaces,
  runMain,
  runPost,
  services,
  sha256File,
  uniqueName,
  visibleLog
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }
const auth = { username: s.username, password: s.password }
const basicAuth = Buffer.from(`${s.username}:${s.password}`).toString('base64')

afterAll(removeWorkspaces)

/** The registry's own digest for a tag: the Docker-Content-Digest of its manifest, checked against its bytes. */
async function served(registry: string, repository: string, tag: string): Promise<string | undefined> {
  const manifest = await fetchManifest(registry, repository, tag, registry === s.tls ? auth : undefined)
  expect(manifest.header).toBe(manifest.computed)
  return manifest.status === 200 ? manifest.header : undefined
}

/** No file of the workspace's root (its HOME, RUNNER_TEMP, command files) holds the password. */
function expectNoCredentials(ws: Workspace, result: StepResult): void {
  for (const file of filesBelow(ws.root)) {
    const text = fs.readFileSync(file, 'utf8')
    expect({ file, leaked: text.includes(s.password) || text.includes(basicAuth) }).toEqual({ file, leaked: false })
  }
  expect(visibleLog(result.log)).not.toContain(s.password)
  expect(fs.existsSync(result.state.temp)).toBe(false)
}

describe('a tarball from one job, pushed by another', () => {
  for (const name of ['image.tar.zst', 'image.tar.gz']) {
    it(`pushes the ${name} job 1 saved: job 2 has its own HOME, an empty workspace and no image in the engine`, async () => {
      // Job 1 builds and saves, pushing nothing.
      const build = makeWorkspace()
      const built = `${s.plain}/${uniqueName('artifact')}`
      const saved = await runMain(build, { images: built, tags: 'v1', context: 'app', push: 'false', save: name })
      expect(saved.code).toBe(0)
      const tarball = saved.outputs.tarball
      expect(sha256File(tarball)).toBe(saved.outputs['tarball-digest'])
      // The artifact moves to another runner; the image is not in the engine there.
      const push = makeWorkspace()
      fs.rmSync(path.join(push.workspace, 'app'), { recursive: true })
      fs.copyFileSync(tarball, path.join(push.workspace, name))
      docker(['image', 'rm', `${built}:v1`])
      expect(dockerStatus(['image', 'inspect', `${built}:v1`])).not.toBe(0)
      // Job 2 pushes it under its own name, logged in to the TLS registry.
      const repository = `${s.tls}/${uniqueName('from-tarball')}`
      const result = await runMain(push, { images: repository, tags: 'v1, latest', 'source-image': name, ...login })
      expect(result.code).toBe(0)
      expect(result.log).toContain(`Loading ${path.join(push.workspace, name)}`)
      const path_ = repository.slice(s.tls.length + 1)
      expect(await served(s.tls, path_, 'v1')).toBe(result.outputs.digest)
      expect(await served(s.tls, path_, 'latest')).toBe(result.outputs.digest)
      expect(result.outputs.refs).toBe(`${repository}@${result.outputs.digest}`)
      expectNoCredentials(push, result)
    })
  }

  it('refuses a tarball of several images, naming them', async () => {
    const ws = makeWorkspace()
    const a = `${s.plain}/${uniqueName('two-a')}:v1`
    const b = `${s.plain}/${uniqueName('two-b')}:v1`
    docker(['image', 'tag', s.baseImage, a])
    const other = await runMain(makeWorkspace(), { images: b.slice(0, -3), tags: 'v1', context: 'app', push: 'false' })
    expect(other.code).toBe(0)
    docker(['image', 'save', '-o', path.join(ws.workspace, 'two.tar'), a, b])
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('two')}`, 'source-image': 'two.tar' })
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      expect.stringMatching(/^::error::Input 'source-image': the tarball \S+two\.tar holds 2 images \(/)
    ])
  })

  it('says before any docker command that a tarball given as source-image is missing', async () => {
    const result = await runMain(makeWorkspace(), { images: `${s.plain}/x`, 'source-image': 'missing.tar.zst' })
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      expect.stringMatching(/^::error::Input 'source-image': the tarball 'missing\.tar\.zst' does not exist/)
    ])
  })
})

describe('registry-auth: two registries that each need a login, in one step', () => {
  // The second registry is the TLS one again behind a proxy on another port: another
  // host to docker, which asks for its own login.
  const proxy = new FaultProxy({ upstream: `https://${s.tls}`, caFile: s.caFile, ...proxyTls() })
  let second = ''
  beforeAll(async () => {
    second = await proxy.start()
  })
  afterAll(() => proxy.close())

  it('logs in to both, pushes to both, and leaves no credential anywhere', async () => {
    const ws = makeWorkspace()
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const name = uniqueName('two-logins')
    const registryAuth = [
      `- registry: ${s.tls}`,
      `  username: ${s.username}`,
      `  password: ${s.password}`,
      `- registry: ${second}`,
      `  username: "${s.username}"`,
      `  password: '${s.password}'`
    ].join('\n')
    const result = await runMain(ws, {
      images: `${s.tls}/${name}\n${second}/${name}-2`,
      tags: 'v1',
      context: 'app',
      'registry-auth': registryAuth
    })
    expect(result.code).toBe(0)
    const groups = result.stdout.split('\n').filter((l) => l.startsWith('::group::Logging in'))
    expect(groups).toEqual([
      `::group::Logging in to ${s.tls} as ${s.username}`,
      `::group::Logging in to ${second} as ${s.username}`
    ])
    expect(result.log).toContain(`::add-mask::${s.password}`)
    const metadata = JSON.parse(result.outputs.metadata) as { images: { repository: string; digest: string }[] }
    expect(await served(s.tls, name, 'v1')).toBe(metadata.images[0].digest)
    expect(await served(s.tls, `${name}-2`, 'v1')).toBe(metadata.images[1].digest)
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfig)
    expectNoCredentials(ws, result)
  })
})

describe('keep-login', () => {
  it('lets a later step of the job pull the private image it pushed, and the post step removes the login', async () => {
    const ws = makeWorkspace()
    const envFile = path.join(ws.root, 'github-env')
    fs.writeFileSync(envFile, '')
    const repository = `${s.tls}/${uniqueName('keep')}`
    const result = await runMain(
      ws,
      { images: repository, tags: 'v1', context: 'app', 'keep-login': 'true', ...login },
      { GITHUB_ENV: envFile }
    )
    expect(result.code).toBe(0)
    const exported = parseCommandFile(fs.readFileSync(envFile, 'utf8'))
    expect(exported.DOCKER_CONFIG).toBe(path.join(result.state.temp, 'docker-config'))
    expect(exported.BUILDX_CONFIG).toBeDefined()
    // A later `run:` step, as the runner gives it the exported variables: the image is pulled from the registry.
    docker(['image', 'rm', `${repository}:v1`])
    const later = { ...process.env, HOME: ws.home, DOCKER_CONFIG: exported.DOCKER_CONFIG }
    docker(['pull', `${repository}:v1`], later)
    // Without the kept login the same pull is refused: the registry wants one.
    docker(['image', 'rm', `${repository}:v1`])
    expect(dockerStatus(['pull', `${repository}:v1`])).not.toBe(0)
    // The post step, at the end of the job, removes the folder with the login.
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(fs.existsSync(exported.DOCKER_CONFIG)).toBe(false)
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).not.toContain(s.tls)
  })
})

describe('cleanup', () => {
  function tagged(ref: string): boolean {
    return dockerStatus(['image', 'inspect', ref]) === 0
  }

  it('removes every tag of the run after the push, by name', async () => {
    const repository = `${s.plain}/${uniqueName('clean')}`
    const result = await runMain(makeWorkspace(), {
      images: repository,
      tags: 'v1, v2',
      context: 'app',
      cleanup: 'true'
    })
    expect(result.code).toBe(0)
    expect([tagged(`${repository}:v1`), tagged(`${repository}:v2`)]).toEqual([false, false])
    expect(await served(s.plain, repository.slice(s.plain.length + 1), 'v2')).toBe(result.outputs.digest)
  })

  it('keeps the source image’s own tag when it retags', async () => {
    const source = `${s.plain}/${uniqueName('clean-src')}:keep`
    docker(['image', 'tag', s.baseImage, source])
    const repository = `${s.plain}/${uniqueName('clean-dst')}`
    const result = await runMain(makeWorkspace(), {
      images: repository,
      tags: 'v1',
      'source-image': source,
      cleanup: 'true'
    })
    expect(result.code).toBe(0)
    expect(tagged(source)).toBe(true)
    expect(tagged(`${repository}:v1`)).toBe(false)
    expect(tagged(s.baseImage)).toBe(true)
  })

  it('is on by default on a self-hosted runner, and off on a GitHub-hosted one', async () => {
    const repository = `${s.plain}/${uniqueName('clean-auto')}`
    const hosted = await runMain(
      makeWorkspace(),
      { images: repository, tags: 'hosted', context: 'app' },
      {
        RUNNER_ENVIRONMENT: 'github-hosted'
      }
    )
    const selfHosted = await runMain(
      makeWorkspace(),
      { images: repository, tags: 'self', context: 'app' },
      {
        RUNNER_ENVIRONMENT: 'self-hosted'
      }
    )
    expect([hosted.code, selfHosted.code]).toEqual([0, 0])
    expect([tagged(`${repository}:hosted`), tagged(`${repository}:self`)]).toEqual([true, false])
  })
})

describe('a tarball inside the build context', () => {
  it('is warned about, unless .dockerignore keeps it out of the context', async () => {
    const warned = await runMain(makeWorkspace(), {
      images: `${s.plain}/${uniqueName('inctx')}`,
      context: 'app',
      save: 'app/out/image.tar',
      'dry-run': 'true'
    })
    expect(commands(warned.log, 'warning')).toEqual([
      expect.stringContaining('The tarball out/image.tar is inside the build context')
    ])
    const ws = makeWorkspace()
    fs.writeFileSync(path.join(ws.workspace, 'app/.dockerignore'), 'out/\n')
    const ignored = await runMain(ws, {
      images: `${s.plain}/${uniqueName('inctx')}`,
      context: 'app',
      save: 'app/out/image.tar',
      'dry-run': 'true'
    })
    expect(commands(ignored.log, 'warning')).toEqual([])
  })
})
