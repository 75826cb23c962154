// Registry faults and a broken environment, end to end: retries through a fault-injecting
// proxy in front of the real registry (503, 429, a reset, a registry gone), no retry
// for what will not change, the classifier that tells them apart, and a plain sentence
// when docker or its engine is missing.
import { describe, expect, it } from '@jest/globals'
import * as path from 'node:path'
import { FaultProxy } from './fault-proxy.js'
import {
  setup,
  commands,
  dockerShim,
  fetchManifest,
  has,
  itWhere,
  makeWorkspace,
  plainFaultProxy,
  proxyTls,
  runMain,
  uniqueName,
  visibleLog,
  world
} from './harness.js'
import type { StepResult } from './harness.js'

const { s, login } = setup()

/**
 * The engine pushes and pulls through containerd (the containerd image store): containerd's resolver
 * has its own retries and words, where the tests say; the classic store's engines (20.10 and 28) push alike.
 */
const CONTAINERD_PUSHES = has.containerdStore

/**
 * Manifest uploads one `docker push` makes when the registry answers 503: engine 28's
 * containerd pusher tries once more itself; the classic store's pusher does not.
 */
const UPLOADS_PER_PUSH = CONTAINERD_PUSHES ? 2 : 1

/** The manifest upload, where the faults are set. */
const manifestPut = { method: 'PUT', path: /\/manifests\// }

/** A run, and the fresh repository it pushed. */
interface Pushed {
  result: StepResult
  repository: string
}

/** Runs the action pushing one fresh repository through a fault proxy. */
async function pushThrough(proxy: FaultProxy, retries: string): Promise<Pushed> {
  const repository = uniqueName('flaky')
  const result = await runMain(makeWorkspace(), {
    images: `${proxy.host}/${repository}`,
    tags: 'v1',
    context: 'app',
    retries
  })
  return { result, repository }
}

/** The retry warnings of a run. */
function retryWarnings(result: StepResult): string[] {
  return commands(result.log, 'warning').filter((w) => / failed on attempt \d+ of \d+ /.test(w))
}

// The fault proxy speaks TLS in the buildx world (engine 26 tries TLS first on a random loopback port
// and does not fall back). Where engine 26 behaves otherwise than 20.10, the test says so: it retries
// a 429 itself (so a single one never reaches the action) and words a reset upload as a closed connection.
describe('retries through a faulty registry', () => {
  const proxy = plainFaultProxy()
  // The engine's docker push, one manifest upload each (two with containerd's pusher on a 503).
  const enginePushes = itWhere(!has.remoteBuilder, 'the builder outside the engine pushes: see the next block')

  const push = (retries: string): Promise<Pushed> => pushThrough(proxy, retries)

  enginePushes(
    'pushes after two failed pushes (503s on the manifest upload) with 3 attempts, warning once per retry',
    async () => {
      proxy.setFaults([{ ...manifestPut, status: 503, times: 2 * UPLOADS_PER_PUSH }])
      const { result, repository } = await push('3')
      expect(result.code).toBe(0)
      expect(proxy.hits(0)).toBe(2 * UPLOADS_PER_PUSH)
      expect(proxy.passed('PUT', /\/manifests\//, 201)).toBe(1)
      const warnings = retryWarnings(result)
      expect(warnings).toHaveLength(2)
      expect(warnings[0]).toMatch(
        new RegExp(
          `docker push to ${proxy.host} failed on attempt 1 of 3 \\(the registry answered 503 Service Unavailable( \\(UNAVAILABLE\\))?\\); trying again in \\d+\\.\\d s\\.`
        )
      )
      expect(warnings[1]).toContain('attempt 2 of 3')
      const manifest = await fetchManifest(s.plain, repository, 'v1')
      expect(manifest.header).toBe(result.outputs.digest)
    }
  )

  enginePushes('fails cleanly after two failed pushes (503s) with 2 attempts, naming the registry', async () => {
    proxy.setFaults([{ ...manifestPut, status: 503, times: 2 * UPLOADS_PER_PUSH }])
    const { result, repository } = await push('2')
    expect(result.code).toBe(1)
    expect(retryWarnings(result)).toHaveLength(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`docker push ${proxy.host}/${repository}:v1 failed`)
    // containerd's pusher words the 503 by the registry's error code.
    expect(errors[0]).toContain(CONTAINERD_PUSHES ? 'error from registry: unavailable' : '503 Service Unavailable')
    expect(errors[0]).toContain(`; ${proxy.host}: gave up after 2 attempts)`)
    expect(result.outputs.digest).toBeUndefined()
    expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
  })

  enginePushes('rides out a 429 rate limit the same way', async () => {
    proxy.setFaults([{ ...manifestPut, status: 429, times: 1, headers: { 'Retry-After': '1' } }])
    const { result } = await push('2')
    expect(result.code).toBe(0)
    // containerd's pusher waits out a 429 itself, within its push; the classic store's gives it to the action to retry.
    expect(retryWarnings(result)).toEqual(CONTAINERD_PUSHES ? [] : [expect.stringContaining('429 Too Many Requests')])
  })

  enginePushes('fails after the last attempt when the rate limit lasts', async () => {
    proxy.setFaults([{ ...manifestPut, status: 429 }])
    const { result } = await push('2')
    expect(result.code).toBe(1)
    // One manifest upload per attempt; containerd's pusher makes several of its own within each.
    if (!CONTAINERD_PUSHES) expect(proxy.hits(0)).toBe(2)
    else expect(proxy.hits(0)).toBeGreaterThanOrEqual(2)
    expect(retryWarnings(result)).toHaveLength(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining('gave up after 2 attempts')])
  })

  enginePushes('retries a connection reset on the manifest upload', async () => {
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
  // tested in logins.test.ts (one login, nothing built).
  itWhere(
    world.engine.startsWith('20.'),
    'this engine retries a refused login over plain HTTP, which the TLS proxy closes (logins.test.ts has its wrong password)'
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

describe('retries when a builder outside the engine pushes (setup-buildx-action)', () => {
  // BuildKit's pusher rides out a short burst of 503s, 429s and resets itself, within
  // one build; what lasts longer fails the build, which the action runs again (its steps
  // cached), as it would a docker push.
  const proxy = plainFaultProxy()
  const builderPushes = itWhere(has.remoteBuilder, 'the engine pushes here: see the block above')

  const push = (retries: string): Promise<Pushed> => pushThrough(proxy, retries)

  builderPushes('a short burst of 503s on the manifest upload: BuildKit tries again itself', async () => {
    proxy.setFaults([{ ...manifestPut, status: 503, times: 2 }])
    const { result, repository } = await push('3')
    expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({ code: 0, errors: [] })
    expect(proxy.hits(0)).toBe(2)
    expect(retryWarnings(result)).toEqual([])
    expect((await fetchManifest(s.plain, repository, 'v1')).header).toBe(result.outputs.digest)
  })

  builderPushes('503s that last: the build is run again, then fails naming the registry', async () => {
    proxy.setFaults([{ ...manifestPut, status: 503 }])
    const { result, repository } = await push('2')
    expect(result.code).toBe(1)
    const warnings = retryWarnings(result)
    expect(warnings).toEqual([expect.stringContaining(`to ${proxy.host} failed on attempt 1 of 2 (`)])
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`failed to push ${proxy.host}/${repository}:v1`)
    expect(errors[0]).toContain(`${proxy.host}: gave up after 2 attempts)`)
    expect(result.outputs.digest).toBeUndefined()
    expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
  })

  builderPushes('a connection reset on the manifest upload', async () => {
    proxy.setFaults([{ ...manifestPut, kind: 'reset', times: 1 }])
    const { result, repository } = await push('3')
    expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({ code: 0, errors: [] })
    expect(proxy.hits(0)).toBe(1)
    expect((await fetchManifest(s.plain, repository, 'v1')).header).toBe(result.outputs.digest)
  })
})

describe('the retry classifier', () => {
  const proxy = plainFaultProxy()

  itWhere(!has.remoteBuilder, 'BuildKit rides out the 503s itself (the block above)')(
    'reads the fault, not the names: a repository called unauthorized-… still rides out a 503',
    async () => {
      proxy.setFaults([{ ...manifestPut, status: 503, times: 2 * UPLOADS_PER_PUSH }])
      const repository = uniqueName('unauthorized-denied')
      const result = await runMain(makeWorkspace(), {
        images: `${proxy.host}/${repository}`,
        tags: 'v1',
        context: 'app'
      })
      expect(result.code).toBe(0)
      expect(commands(result.log, 'warning').filter((w) => /failed on attempt \d of 3/.test(w))).toHaveLength(2)
      expect((await fetchManifest(s.plain, repository, 'v1')).header).toBe(result.outputs.digest)
    }
  )

  it('says a login that got a 503 is the registry not answering, not a wrong password', async () => {
    proxy.setFaults([{ path: /^\/v2\/$/, status: 503 }])
    const result = await runMain(makeWorkspace(), {
      images: `${proxy.host}/${uniqueName('login503')}`,
      context: 'app',
      registry: proxy.host,
      username: 'ship',
      password: 'whatever',
      retries: '1'
    })
    expect(result.code).toBe(1)
    const [error] = commands(result.log, 'error')
    expect(error).toMatch(
      new RegExp(`^::error::Login to ${proxy.host} as ship failed: .*The registry did not answer the login`)
    )
    expect(error).not.toContain('Check the username and password')
  })

  it('a refused connection at login is not called a wrong password', async () => {
    const result = await runMain(makeWorkspace(), {
      images: `localhost:1/${uniqueName('refused')}`,
      context: 'app',
      registry: 'localhost:1',
      username: 'ship',
      password: 'whatever',
      retries: '1'
    })
    expect(result.code).toBe(1)
    const [error] = commands(result.log, 'error')
    expect(error).toMatch(
      /The registry did not answer the login \(connection refused\); check that localhost:1 is the right host and port/
    )
  })
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

  it('the engine-unreachable message shows DOCKER_HOST without its user and password', async () => {
    const result = await runMain(
      makeWorkspace(),
      { images: `${s.plain}/${uniqueName('hostinfo')}`, context: 'app' },
      { DOCKER_HOST: 'tcp://admin:hunter2@127.0.0.1:1' }
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      expect.stringContaining('The Docker engine is not reachable at DOCKER_HOST=tcp://127.0.0.1:1.')
    ])
    expect(visibleLog(result.log)).not.toContain('hunter2')
  })
})
