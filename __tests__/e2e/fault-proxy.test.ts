// The fault proxy itself, with the real docker CLI and engine: it must be a faithful
// registry when no rule applies (so that a later retry test proves the action, not
// the proxy), and each kind of fault must reach docker as the fault it stands for.
// Nothing here uses the action.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { baseInEngine, describeWhere, docker, fetchManifest, proxyTls, setup, uniqueName, world } from './harness.js'
import { FaultProxy } from './fault-proxy.js'

const { s } = setup()
// The proxy's own faithfulness, proven with engine 20.10's client and its exact texts. Later engines
// push another way (their own retries, mounts and wording); the action's retries through this proxy
// run in every world (faults.test.ts).
const describeProxy = describeWhere(
  world.engine.startsWith('20.'),
  'the proxy itself is proven once, with engine 20.10’s exact texts (faults.test.ts retries through it here)'
)

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** docker, asynchronously: the proxy answers from this very process, so spawnSync would deadlock. */
function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(options.input)
  })
}

const tagged: string[] = []

/** Tags the base image (or `source`) as `ref`, removed again in afterAll. */
function tag(ref: string, source = baseInEngine()): string {
  docker(['tag', source, ref])
  tagged.push(ref)
  return ref
}

const digestOf = (stdout: string): string | undefined => /digest: (sha256:[a-f0-9]{64})/.exec(stdout)?.[1]

afterAll(() => {
  for (const ref of tagged.splice(0)) {
    try {
      docker(['rmi', ref])
    } catch {
      // already gone (a pull test removes its own)
    }
  }
})

describeProxy('FaultProxy in front of the plain registry', () => {
  const proxy = new FaultProxy({ upstream: `http://127.0.0.1:${s.plain.split(':')[1]}`, ...proxyTls() })
  let host = ''

  beforeAll(async () => {
    host = await proxy.start()
  })
  afterAll(() => proxy.close())

  it('listens on a free port and names itself localhost:<port>', () => {
    expect(host).toMatch(/^localhost:\d+$/)
    expect(host).not.toBe(s.plain)
  })

  it('forwards a push: the digest docker prints is the one the registry serves', async () => {
    proxy.setFaults([])
    proxy.clearLog()
    const name = uniqueName('fault/plain')
    const result = await run(['push', tag(`${host}/${name}:v1`)])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    const printed = digestOf(result.stdout)
    expect(printed).toBeDefined()
    // Straight from the registry, bypassing the proxy.
    const manifest = await fetchManifest(s.plain, name, 'v1')
    expect(manifest.status).toBe(200)
    expect(manifest.header).toBe(printed)
    expect(manifest.computed).toBe(printed)
    // Every step of the upload went through the proxy (the Location headers point back at it).
    expect(proxy.passed('POST', /\/blobs\/uploads\/$/, 202)).toBeGreaterThan(0)
    expect(proxy.passed('PATCH', /\/blobs\/uploads\/[^/?]+\?/, 202)).toBe(
      proxy.passed('POST', /\/blobs\/uploads\/$/, 202)
    )
    expect(proxy.passed('PUT', /\/blobs\/uploads\/[^/?]+\?.*digest=/, 201)).toBe(
      proxy.passed('POST', /\/blobs\/uploads\/$/, 202)
    )
    expect(proxy.passed('HEAD', /\/blobs\/sha256:/)).toBeGreaterThan(0)
    expect(proxy.passed('PUT', /\/manifests\/v1$/, 201)).toBe(1)
  })

  it('moves a multi-megabyte layer both ways (chunked PATCH, HEAD, GET); cuts a manifest short', async () => {
    proxy.setFaults([])
    proxy.clearLog()
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-proxy-'))
    try {
      fs.writeFileSync(
        path.join(ctx, 'Dockerfile'),
        `FROM ${s.baseImage}\nRUN dd if=/dev/urandom of=/blob bs=1024 count=6144 2>/dev/null\n`
      )
      const name = uniqueName('fault/big')
      const ref = `${host}/${name}:v1`
      const built = await run(['build', '-q', '-t', ref, ctx])
      expect(built.code).toBe(0)
      tagged.push(ref)
      const id = docker(['image', 'inspect', '--format', '{{.Id}}', ref])
      const pushed = await run(['push', ref])
      expect(pushed.code).toBe(0)
      const digest = digestOf(pushed.stdout)
      expect((await fetchManifest(s.plain, name, 'v1')).header).toBe(digest)

      docker(['rmi', ref])
      // A manifest cut short after 10 bytes (the engine does not retry manifests).
      proxy.setFaults([{ method: 'GET', path: /\/manifests\/sha256:/, kind: 'truncate', truncateAfter: 10 }])
      const cut = await run(['pull', ref])
      expect(cut.code).toBe(1)
      expect(cut.stderr).toBe('Error response from daemon: unexpected EOF\n')
      expect(proxy.hits(0)).toBe(1)

      proxy.setFaults([])
      proxy.clearLog()
      const pulled = await run(['pull', ref])
      expect(pulled.code).toBe(0)
      expect(pulled.stdout).toContain(`Digest: ${digest}`)
      expect(docker(['image', 'inspect', '--format', '{{.Id}}', ref])).toBe(id)
      expect(proxy.passed('GET', /\/blobs\/sha256:/, 200)).toBeGreaterThan(0)
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true })
    }
  })

  it('answers a manifest PUT with 503: docker push fails, and the rule counts it', async () => {
    const name = uniqueName('fault/503')
    const ref = tag(`${host}/${name}:v1`)
    proxy.setFaults([{ method: 'PUT', path: /\/manifests\//, status: 503, times: 1 }])
    const failed = await run(['push', ref])
    expect(failed.code).toBe(1)
    // Real text (engine 20.10, clients 28 and 20.10 alike):
    expect(failed.stderr).toBe('received unexpected HTTP status: 503 Service Unavailable\n')
    expect(proxy.hits(0)).toBe(1)
    expect((await fetchManifest(s.plain, name, 'v1')).status).toBe(404)

    // `times: 1` is used up: the same push now goes through.
    proxy.clearLog()
    const again = await run(['push', ref])
    expect(again.code).toBe(0)
    expect(proxy.hits(0)).toBe(1)
    expect(proxy.passed('PUT', /\/manifests\/v1$/, 201)).toBe(1)
    expect((await fetchManifest(s.plain, name, 'v1')).header).toBe(digestOf(again.stdout))
  })

  it('answers 429 with Retry-After: docker prints only the error code', async () => {
    const ref = tag(`${host}/${uniqueName('fault/429')}:v1`)
    proxy.setFaults([{ method: 'PUT', path: /\/manifests\//, status: 429, headers: { 'Retry-After': '1' } }])
    const failed = await run(['push', ref])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toBe('toomanyrequests\n')
    expect(proxy.hits(0)).toBe(1)
  })

  it("resets a connection: docker sees 'connection reset by peer'", async () => {
    const ref = tag(`${host}/${uniqueName('fault/reset')}:v1`)
    proxy.setFaults([{ method: 'PUT', path: /\/manifests\//, kind: 'reset' }])
    const failed = await run(['push', ref])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(
      /^Put "http:\/\/localhost:\d+\/v2\/.+\/manifests\/v1": read tcp [\d.:]+->[\d.:]+: read: connection reset by peer\n$/
    )
  })

  it("closes a connection without an answer: docker sees 'EOF'", async () => {
    const ref = tag(`${host}/${uniqueName('fault/close')}:v1`)
    proxy.setFaults([{ method: 'PUT', path: /\/manifests\//, kind: 'close' }])
    const failed = await run(['push', ref])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/^Put "http:\/\/localhost:\d+\/v2\/.+\/manifests\/v1": EOF\n$/)
  })

  it('stops listening (connection refused) and listens again on the same port', async () => {
    proxy.setFaults([])
    const ref = tag(`${host}/${uniqueName('fault/refused')}:v1`)
    await proxy.stop()
    const refused = await run(['push', ref])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `Get "http://${host}/v2/": dial tcp 127.0.0.1:${host.split(':')[1]}: connect: connection refused`
    )
    expect(await proxy.start()).toBe(host)
    const pushed = await run(['push', ref])
    expect(pushed.code).toBe(0)
  })
})

describeProxy('FaultProxy in front of the TLS registry with basic auth', () => {
  const proxy = new FaultProxy({ upstream: `https://${s.tls}`, caFile: s.caFile, ...proxyTls() })
  let host = ''
  let config = ''
  let env: NodeJS.ProcessEnv = {}

  beforeAll(async () => {
    host = await proxy.start()
    config = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-proxy-config-'))
    env = { ...process.env, DOCKER_CONFIG: config }
  })
  afterAll(async () => {
    await proxy.close()
    fs.rmSync(config, { recursive: true, force: true })
  })

  it('passes the 401 of a wrong password through', async () => {
    const login = await run(['login', '--username', s.username, '--password-stdin', host], {
      input: 'wrong-password',
      env
    })
    expect(login.code).toBe(1)
    expect(login.stderr).toBe(
      `Error response from daemon: login attempt to http://${host}/v2/ failed with status: 401 Unauthorized\n`
    )
  })

  it('refuses a push without credentials', async () => {
    const push = await run(['push', tag(`${host}/${uniqueName('fault/noauth')}:v1`)], { env })
    expect(push.code).toBe(1)
    expect(push.stderr).toBe('no basic auth credentials\n')
  })

  it('logs in and pushes over plain HTTP to docker, HTTPS to the registry', async () => {
    const login = await run(['login', '--username', s.username, '--password-stdin', host], { input: s.password, env })
    expect(login.code).toBe(0)
    expect(login.stdout).toContain('Login Succeeded')
    const name = uniqueName('fault/secure')
    const push = await run(['push', tag(`${host}/${name}:v1`)], { env })
    expect(push.code).toBe(0)
    const manifest = await fetchManifest(s.tls, name, 'v1', { username: s.username, password: s.password })
    expect(manifest.status).toBe(200)
    expect(manifest.header).toBe(digestOf(push.stdout))
  })
})
