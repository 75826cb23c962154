// A cancelled or killed step, end to end: SIGINT, SIGTERM or SIGKILL during the build,
// a docker login, a push or a save; what the main step stops and removes itself, and
// what the post step (post-if: always()) removes after it.
import { describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  setup,
  dockerShim,
  expectNoCredentialsLeft,
  fetchManifest,
  filesBelow,
  makeWorkspace,
  plainFaultProxy,
  processesOf,
  realDocker,
  runMain,
  runPost,
  sleep,
  uniqueName,
  until
} from './harness.js'
import type { Workspace } from './harness.js'

const { s, login, basicAuth } = setup()

/** No file below the workspace root or the run's temp folder holds the password or its basic-auth form. */
function expectNoCredentialsOnDisk(ws: Workspace, temp: string): void {
  const files = [...filesBelow(ws.root), ...filesBelow(temp)]
  for (const file of files) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    expect({ file, leaked: text.includes(s.password) || text.includes(basicAuth) }).toEqual({ file, leaked: false })
  }
}

describe('a job stopped during the build', () => {
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

describe('a cancelled job during docker login', () => {
  // The login is slowed down (a shim sleeps, then runs the real docker login), so the
  // signal reaches the step while docker login is running, as it did in the report.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no credentials anywhere after ${signal} and the post step`, async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws, { before: 'if [ "$1" = login ]; then sleep 3; fi' })
      let node: ChildProcess | undefined
      const main = runMain(
        ws,
        { images: `${s.tls}/${uniqueName('cancel-login')}`, context: 'app', ...login },
        { PATH: `${shim.dir}:${process.env.PATH}` },
        undefined,
        (child) => void (node = child)
      )
      await until(() => shim.calls().some((c) => c.startsWith('login ')))
      node?.kill(signal)
      const result = await main
      expect(result.code).toBe(128 + os.constants.signals[signal])
      const temp = result.state.temp
      if (signal !== 'SIGKILL') {
        // The step stopped docker login before it removed its folder, and said so.
        expect(processesOf(temp)).toEqual([])
        expect(fs.existsSync(temp)).toBe(false)
        expect(result.log).toContain(`Stopped by ${signal}`)
      }
      const post = await runPost(ws, result)
      expect(post.code).toBe(0)
      expect(processesOf(temp)).toEqual([])
      // Longer than the login would have taken: nothing comes back later.
      await sleep(4000)
      expect(fs.existsSync(temp)).toBe(false)
      expectNoCredentialsOnDisk(ws, temp)
      expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).not.toContain(s.tls)
    }, 60_000)
  }
})

describe('a cancelled job during a push', () => {
  const proxy = plainFaultProxy()

  it('stops the push: the tag is never published after the step has stopped', async () => {
    // Every layer upload is held 3 s, as over a slow link.
    proxy.setFaults([{ method: /^(PATCH|PUT|POST)$/, path: /\/blobs\/uploads\//, kind: 'delay', delayMs: 3000 }])
    proxy.clearLog()
    const ws = makeWorkspace()
    const repository = uniqueName('cancel-push')
    let node: ChildProcess | undefined
    const main = runMain(
      ws,
      { images: `${proxy.host}/${repository}`, tags: 'v1', context: 'app' },
      {},
      undefined,
      (child) => void (node = child)
    )
    await until(() => proxy.requests.some((r) => /\/blobs\/uploads\//.test(r.path)))
    node?.kill('SIGTERM')
    const result = await main
    expect(result.code).toBe(143)
    expect(result.log).toContain('Stopped by SIGTERM')
    expect(processesOf(result.state.temp)).toEqual([])
    await sleep(5000)
    expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
    expect(proxy.requests.filter((r) => /\/manifests\//.test(r.path) && r.method === 'PUT')).toEqual([])
  }, 60_000)
})

describe('SIGKILL during a save', () => {
  it('leaves no .partial file once the post step has run', async () => {
    const ws = makeWorkspace()
    // docker image save sends 64 KiB, then stalls: the main step is killed mid-write.
    const shim = dockerShim(ws, {
      before: `if [ "$1 $2" = "image save" ]; then ${JSON.stringify(realDocker())} "$@" | { head -c 65536; sleep 30; cat; }; exit; fi`
    })
    const out = path.join(ws.workspace, 'out')
    let node: ChildProcess | undefined
    const main = runMain(
      ws,
      { images: `${s.plain}/${uniqueName('killsave')}`, context: 'app', push: 'false', save: 'out/image.tar' },
      { PATH: `${shim.dir}:${process.env.PATH}` },
      undefined,
      (child) => void (node = child)
    )
    await until(() => fs.existsSync(out) && fs.readdirSync(out).some((f) => f.endsWith('.partial')))
    node?.kill('SIGKILL')
    const result = await main
    expect(result.code).toBe(137)
    expect(fs.readdirSync(out).some((f) => f.endsWith('.partial'))).toBe(true)
    expect(processesOf(result.state.temp).length).toBeGreaterThan(0) // the stalled save is still there
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(fs.readdirSync(out)).toEqual([])
    expect(processesOf(result.state.temp)).toEqual([])
  }, 60_000)
})
