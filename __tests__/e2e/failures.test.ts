// Failure handling, end to end: transient registry faults (through a fault-injecting
// proxy in front of the real registry), bad input, a broken environment, secrets,
// atomic saves and concurrent runs. Real engine, real registries, no mocks.
import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FaultProxy } from './fault-proxy.js'
import {
  buildkit,
  commands,
  docker,
  dockerShim,
  fetchManifest,
  filesBelow,
  has,
  itWhere,
  makeWorkspace,
  plainFaultProxy,
  proxyTls,
  removeWorkspaces,
  runMain,
  services,
  uniqueName,
  visibleLog,
  world
} from './harness.js'
import type { StepResult } from './harness.js'

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }
/**
 * The engine pushes and pulls through containerd (the containerd image store): containerd's resolver
 * has its own retries and words, where the tests say; the classic store's engines (20.10 and 28) push alike.
 */
const CONTAINERD_PUSHES = has.containerdStore

afterAll(removeWorkspaces)

/** The retry warnings of a run. */
function retryWarnings(result: StepResult): string[] {
  return commands(result.log, 'warning').filter((w) => / failed on attempt \d+ of \d+ /.test(w))
}

// The fault proxy speaks TLS in the buildx world (engine 26 tries TLS first on a random loopback port
// and does not fall back). Where engine 26 behaves otherwise than 20.10, the test says so: it retries
// a 429 itself (so a single one never reaches the action) and words a reset upload as a closed connection.

describe('retries through a faulty registry', () => {
  const proxy = plainFaultProxy()
  const manifestPut = { method: 'PUT', path: /\/manifests\// }

  /** Runs the action pushing one fresh repository through the proxy. */
  async function push(retries: string): Promise<{ result: StepResult; repository: string }> {
    const repository = uniqueName('flaky')
    const result = await runMain(makeWorkspace(), {
      images: `${proxy.host}/${repository}`,
      tags: 'v1',
      context: 'app',
      retries
    })
    return { result, repository }
  }

  it('pushes after two 503s on the manifest upload with 3 attempts, warning once per retry', async () => {
    proxy.setFaults([{ ...manifestPut, status: 503, times: 2 }])
    const { result, repository } = await push('3')
    expect(result.code).toBe(0)
    expect(proxy.hits(0)).toBe(2)
    expect(proxy.passed('PUT', /\/manifests\//, 201)).toBe(1)
    const warnings = retryWarnings(result)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(
      new RegExp(
        `docker push to ${proxy.host} failed on attempt 1 of 3 \\(the registry answered 503 Service Unavailable\\); trying again in \\d+\\.\\d s\\.`
      )
    )
    expect(warnings[1]).toContain('attempt 2 of 3')
    const manifest = await fetchManifest(s.plain, repository, 'v1')
    expect(manifest.header).toBe(result.outputs.digest)
  })

  it('fails cleanly after two 503s with 2 attempts, naming the registry', async () => {
    proxy.setFaults([{ ...manifestPut, status: 503, times: 2 }])
    const { result, repository } = await push('2')
    expect(result.code).toBe(1)
    expect(retryWarnings(result)).toHaveLength(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`docker push ${proxy.host}/${repository}:v1 failed`)
    expect(errors[0]).toContain('503 Service Unavailable')
    expect(errors[0]).toContain(`; ${proxy.host}: gave up after 2 attempts)`)
    expect(result.outputs.digest).toBeUndefined()
    expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
  })

  it('rides out a 429 rate limit the same way', async () => {
    proxy.setFaults([{ ...manifestPut, status: 429, times: 1, headers: { 'Retry-After': '1' } }])
    const { result } = await push('2')
    expect(result.code).toBe(0)
    // containerd's pusher waits out a 429 itself, within its push; the classic store's gives it to the action to retry.
    expect(retryWarnings(result)).toEqual(CONTAINERD_PUSHES ? [] : [expect.stringContaining('429 Too Many Requests')])
  })

  it('fails after the last attempt when the rate limit lasts', async () => {
    proxy.setFaults([{ ...manifestPut, status: 429 }])
    const { result } = await push('2')
    expect(result.code).toBe(1)
    // One manifest upload per attempt; containerd's pusher makes several of its own within each.
    if (!CONTAINERD_PUSHES) expect(proxy.hits(0)).toBe(2)
    else expect(proxy.hits(0)).toBeGreaterThanOrEqual(2)
    expect(retryWarnings(result)).toHaveLength(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining('gave up after 2 attempts')])
  })

  it('retries a connection reset on the manifest upload', async () => {
    proxy.setFaults([{ ...manifestPut, kind: 'reset', times: 1 }])
    const { result } = await push('3')
    expect(result.code).toBe(0)
    // containerd's pusher sees the reset either on the request or in the middle of the upload it belongs to.
    const reason = CONTAINERD_PUSHES
      ? /the connection was (reset|closed during the transfer)/
      : /the connection was reset/
    expect(retryWarnings(result)).toEqual([expect.stringMatching(reason)])
  })

  it('fails with a message naming the registry when it stops mid-run', async () => {
    proxy.setFaults([])
    let stopped: Promise<void> | undefined
    try {
      // The registry goes away while the image builds; the push then finds nothing there.
      const result = await runMain(
        makeWorkspace(),
        { images: `${proxy.host}/${uniqueName('gone')}`, tags: 'v1', context: 'app', retries: '2' },
        {},
        { when: /^::group::Building/m, action: () => (stopped = proxy.stop()) }
      )
      expect(stopped).toBeDefined()
      expect(result.code).toBe(1)
      const errors = commands(result.log, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain('connection refused')
      expect(errors[0]).toContain(`${proxy.host}: gave up after 2 attempts`)
      expect(result.log).not.toMatch(/\n\s+at /)
    } finally {
      await stopped
      await proxy.start()
    }
  })
})

describe('no retry for faults that will not change', () => {
  // Engine 20.10 only: engines from 26 on retry a refused login to a loopback registry over plain HTTP,
  // which the TLS proxy closes (EOF, a fault of the moment). Without the proxy their wrong password is
  // tested in action.test.ts (one login, nothing built).
  itWhere(
    world.engine.startsWith('20.'),
    'this engine retries a refused login over plain HTTP, which the TLS proxy closes (action.test.ts has its wrong password)'
  )('fails a wrong password at once, with no retry', async () => {
    const proxy = new FaultProxy({ upstream: `https://${s.tls}`, caFile: s.caFile, ...proxyTls() })
    const host = await proxy.start()
    try {
      const ws = makeWorkspace()
      const shim = dockerShim(ws)
      const result = await runMain(
        ws,
        {
          images: `${host}/${uniqueName('denied')}`,
          context: 'app',
          registry: host,
          username: s.username,
          password: 'wrong-password',
          retries: '5'
        },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(retryWarnings(result)).toEqual([])
      expect(commands(result.log, 'error')).toEqual([expect.stringContaining('401 Unauthorized')])
      expect(shim.calls().filter((c) => c.startsWith('login '))).toHaveLength(1)
      expect(shim.calls().some((c) => /^(buildx )?build /.test(c))).toBe(false)
    } finally {
      await proxy.close()
    }
  })

  it('does not retry a pull of an image that does not exist', async () => {
    const ws = makeWorkspace()
    const shim = dockerShim(ws)
    const missing = `${s.plain}/${uniqueName('missing')}:v1`
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('x')}`, 'source-image': missing, retries: '5' },
      { PATH: `${shim.dir}:${process.env.PATH}` }
    )
    expect(result.code).toBe(1)
    expect(retryWarnings(result)).toEqual([])
    expect(shim.calls().filter((c) => c === `pull ${missing}`)).toHaveLength(1)
    // The classic store's engines say manifest unknown; containerd's resolver says not found.
    const reason = CONTAINERD_PUSHES ? `${missing}: not found` : 'manifest unknown'
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining(reason)])
  })
})

describe('bad input: one ::error:: naming the input and the fix, before any docker command', () => {
  const long = 'a'.repeat(129)
  const cases: [string, Record<string, string>, string][] = [
    ['no images', { images: '' }, 'images'],
    ['a repository with a tag', { images: 'localhost:5000/app:v1' }, 'images'],
    ['an uppercase registry host', { images: 'LOCALHOST:5000/app' }, 'images'],
    ['a repository with a digest', { images: `localhost:5000/app@sha256:${'a'.repeat(64)}` }, 'images'],
    ['an invalid path component', { images: 'localhost:5000/-app' }, 'images'],
    ['a Docker Hub name without an account', { images: 'app' }, 'images'],
    ['a repository with a space', { images: 'local host/app' }, 'images'],
    ['a tag starting with -', { tags: '-bad' }, 'tags'],
    ['a tag of 129 characters', { tags: long }, 'tags'],
    ['a tag with a space', { tags: 'v1 beta' }, 'tags'],
    ['a tag starting with .', { tags: 'ok,.dot' }, 'tags'],
    ['push: maybe', { push: 'maybe' }, 'push'],
    ['pull: yes', { pull: 'yes' }, 'pull'],
    ['no-cache: 1', { 'no-cache': '1' }, 'no-cache'],
    ['latest: sometimes', { latest: 'sometimes' }, 'latest'],
    ['build-args without =', { 'build-args': 'NOEQUALS' }, 'build-args'],
    ['a label without a key', { labels: '=x' }, 'labels'],
    ['a missing context', { context: 'missing' }, 'context'],
    ['a missing Dockerfile', { file: 'nope/Dockerfile' }, 'file'],
    ['a .zip save path', { save: 'out.zip' }, 'save'],
    ['save into a file', { save: 'app/Dockerfile/image.tar' }, 'save'],
    ['save onto a folder', { save: 'folder.tar' }, 'save'],
    ['compression level 0', { save: 'i.tar.gz', 'save-compression-level': '0' }, 'save-compression-level'],
    ['compression level fast', { save: 'i.tar.gz', 'save-compression-level': 'fast' }, 'save-compression-level'],
    ['retries: 0', { retries: '0' }, 'retries'],
    ['retries: many', { retries: 'many' }, 'retries'],
    ['a secret line without =', { secrets: 'not-a-pair' }, 'secrets'],
    ['a buildx cache spec', { 'cache-from': 'type=registry,ref=localhost:5000/app' }, 'cache-from'],
    ['a registry with a path', { registry: 'https://ghcr.io/org' }, 'registry'],
    // Several platforms: without buildx (the classic world) an error of their own; with it, not in a tarball.
    has.classicBuilder
      ? ['two platforms', { platforms: 'linux/amd64,linux/arm64' }, 'platforms']
      : ['a tarball of two platforms', { platforms: 'linux/amd64,linux/arm64', save: 'i.tar' }, 'save'],
    ['a platform that is not one', { platforms: 'linux' }, 'platforms'],
    ['provenance: yes', { provenance: 'yes' }, 'provenance'],
    ['a builder name with a space', { builder: 'my builder' }, 'builder'],
    ['a source image with a space', { 'source-image': 'bad image' }, 'source-image'],
    ['a target that is no stage name', { target: 'bad stage!' }, 'target'],
    // The test Dockerfile has one unnamed stage: issue 20's nosuchstage, refused before the login and the build.
    ['a target the Dockerfile does not have', { target: 'nosuchstage', ...login }, 'target'],
    ['a network that is no network name', { network: 'host;rm' }, 'network'],
    ['a user name with a colon', { username: 'ship:x', password: 'p' }, 'username'],
    ['a registry port out of range', { registry: 'localhost:99999' }, 'registry'],
    ['a repository on port 0', { images: 'localhost:0/app' }, 'images'],
    ['a line break in target', { target: 'prod\n::warning::x' }, 'target'],
    ['a carriage return in a label', { labels: 'a=b\rc' }, 'labels'],
    ['an escape character in the Dockerfile path', { file: 'Docker\u001bfile' }, 'file'],
    ['a secret value with no end', { secrets: 'key<<EOF\nline' }, 'secrets']
  ]

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  for (const [label, inputs, input] of cases) {
    it(`${label} -> ${input}`, async () => {
      const ws = makeWorkspace()
      fs.mkdirSync(path.join(ws.workspace, 'folder.tar'))
      const shim = dockerShim(ws)
      const result = await runMain(
        ws,
        { images: `${s.plain}/ok`, context: 'app', ...inputs },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      const errors = commands(result.log, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(new RegExp(`^::error::Input '${input}': .+\\. Fix: .+\\.$`))
      expect(shim.calls()).toEqual([])
      expect(result.log).not.toMatch(/\n\s+at /)
      expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    })
  }
})

describe('a broken environment gets a plain sentence', () => {
  it('says so when the docker CLI is not installed', async () => {
    const ws = makeWorkspace()
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('nocli')}`, context: 'app' },
      { PATH: path.join(ws.root, 'empty') }
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      '::error::The docker CLI is not installed or not on PATH. Run the action on a runner with Docker (ubuntu-latest has it), or install Docker first.'
    ])
  })

  it('says so when the engine is not reachable', async () => {
    const ws = makeWorkspace()
    const host = `unix://${ws.root}/nothing.sock`
    for (const inputs of [{}, login]) {
      const result = await runMain(
        ws,
        { images: `${s.tls}/${uniqueName('noengine')}`, context: 'app', ...inputs },
        { DOCKER_HOST: host }
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        `::error::The Docker engine is not reachable at DOCKER_HOST=${host}. Start the engine (on a self-hosted runner: systemctl start docker), or point DOCKER_HOST at a running one.`
      ])
      expect(retryWarnings(result)).toEqual([])
    }
  })

  it('says the disk is full, and leaves no partial tarball and the earlier one intact', async () => {
    const ws = makeWorkspace()
    const small = path.join(ws.workspace, 'small')
    fs.mkdirSync(small)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small], { encoding: 'utf8' })
    expect(mounted.stderr).toBe('')
    try {
      fs.writeFileSync(path.join(small, 'image.tar'), 'earlier')
      const result = await runMain(ws, {
        images: `${s.plain}/${uniqueName('full')}`,
        context: 'app',
        push: 'false',
        save: 'small/image.tar'
      })
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        `::error::Writing the tarball ${small}/image.tar failed: the disk is full (no space left on device); free some space or save somewhere else. No tarball was written; an earlier file at that path is unchanged.`
      ])
      expect(fs.readdirSync(small)).toEqual(['image.tar'])
      expect(fs.readFileSync(path.join(small, 'image.tar'), 'utf8')).toBe('earlier')
    } finally {
      spawnSync('umount', [small])
    }
  })
})

describe('save is atomic', () => {
  it('keeps the earlier tarball and leaves no partial file when docker image save fails midway', async () => {
    const ws = makeWorkspace()
    // docker image save writes 64 KiB of its tarball, then fails.
    const shim = dockerShim(ws, {
      before: `if [ "$1 $2" = "image save" ]; then head -c 65536 /dev/urandom; echo "Error response from daemon: unexpected EOF" >&2; exit 1; fi`
    })
    const out = path.join(ws.workspace, 'out')
    fs.mkdirSync(out)
    fs.writeFileSync(path.join(out, 'image.tar.gz'), 'earlier')
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('atomic')}`, context: 'app', push: 'false', save: 'out/image.tar.gz' },
      { PATH: `${shim.dir}:${process.env.PATH}` }
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining('docker image save')])
    expect(fs.readdirSync(out)).toEqual(['image.tar.gz'])
    expect(fs.readFileSync(path.join(out, 'image.tar.gz'), 'utf8')).toBe('earlier')
    expect(result.outputs.tarball).toBeUndefined()
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
