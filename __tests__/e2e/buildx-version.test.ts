// buildx-version (issue 22), end to end: on a machine whose docker CLI has no buildx
// (the classic world's; the hosted world's CLI with a HOME without cli-plugins), the
// step fetches the release asked for from a release page laid out as GitHub's (a
// loopback server, release-server.ts, serving this machine's buildx 0.29.1 as
// buildx-v0.29.1.linux-amd64 beside its checksums.txt), checks its sha256, keeps it
// in the runner's tool cache and builds with it; a second run of the machine takes it
// from the cache; `latest` follows the page's redirect; a checksum that does not match
// is an input error and nothing is used.
import { afterEach, beforeEach, describe, expect } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  dockerShim,
  fetchManifest,
  filesBelow,
  has,
  itWhere,
  makeWorkspace,
  runMain,
  uniqueName
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'
import { ReleaseServer } from './release-server.js'

const { s } = setup()

const TAG = 'v0.29.1'
const ASSET = `buildx-${TAG}.linux-amd64`
/** This machine's buildx 0.29.1: the hosted world's plugin (services.sh). */
const BUILDX = path.join(s.worlds.hosted?.pluginsDir ?? '/nonexistent', 'docker-buildx')
const sha256Hex = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

/**
 * Where the test runs: a docker CLI without buildx. The classic world's has none; the
 * hosted world's (the docker driver) gets a HOME without cli-plugins. A remote builder
 * or the containerd store changes nothing of the download, so those worlds are left
 * out (the CPUs are shared).
 */
const runsHere = (has.classicBuilder || (has.dockerDriver && !has.containerdStore)) && fs.existsSync(BUILDX)
const it = itWhere(
  runsHere,
  'the download is shown where the CLI has no buildx: the classic world, and the hosted world without cli-plugins'
)

/** A workspace whose docker CLI finds no buildx plugin (makeWorkspace links the world's into HOME). */
function withoutBuildx(): Workspace {
  const ws = makeWorkspace()
  fs.rmSync(path.join(ws.home, '.docker/cli-plugins'), { recursive: true, force: true })
  return ws
}

/** The step as a runner with a tool cache runs it, with docker's argv recorded. */
async function run(
  ws: Workspace,
  toolCache: string,
  inputs: Record<string, string>
): Promise<{ result: StepResult; calls: string[] }> {
  const shim = dockerShim(ws)
  const result = await runMain(
    ws,
    { context: 'app', network: 'host', ...inputs },
    { RUNNER_TOOL_CACHE: toolCache, PATH: `${shim.dir}:${process.env.PATH}` }
  )
  return { result, calls: shim.calls() }
}

/** The buildx binaries a tool cache holds. */
function cachedBuildx(toolCache: string): string[] {
  return filesBelow(toolCache).filter((f) => path.basename(f) === 'docker-buildx')
}

describe('buildx-version', () => {
  let server: ReleaseServer | undefined
  const serve = async (wrongChecksum?: string): Promise<ReleaseServer> => {
    server = new ReleaseServer({ tag: TAG, assets: { [ASSET]: BUILDX }, checksums: 'checksums.txt', wrongChecksum })
    await server.start()
    return server
  }
  beforeEach(() => {
    server = undefined
  })
  afterEach(async () => {
    await server?.close()
  })

  it('fetches the release, checks it, keeps it in the tool cache and builds with it; the next run takes it from the cache', async () => {
    const releases = await serve()
    const first = withoutBuildx()
    const toolCache = path.join(first.workspace, 'tool-cache')
    const name = uniqueName('buildx-fetched')
    const repository = `${s.plain}/${name}`
    const inputs = { images: repository, 'buildx-version': TAG, 'buildx-download-url': releases.base }

    const { result, calls } = await run(first, toolCache, { ...inputs, tags: 'one' })
    expect(result.code).toBe(0)
    expect(commands(result.log, 'error')).toEqual([])
    expect(result.log).toContain('this run uses v0.29.1')
    expect(result.log).toContain(`${ASSET}: sha256 ${sha256Hex(BUILDX)}, as the release's checksums.txt says.`)
    expect(releases.downloadsOf(ASSET)).toBe(1)
    expect(releases.requests.map((r) => r.path)).toContain(`/releases/download/${TAG}/checksums.txt`)
    // Kept in the tool cache, byte for byte the release's, and built with.
    const cached = cachedBuildx(toolCache)
    expect(cached).toHaveLength(1)
    expect(sha256Hex(cached[0])).toBe(sha256Hex(BUILDX))
    expect(calls.filter((c) => c.startsWith('buildx build '))).toHaveLength(1)
    expect(calls.filter((c) => /^(image )?build /.test(c))).toEqual([])
    const served = await fetchManifest(s.plain, name, 'one')
    expect(served.status).toBe(200)
    expect(served.header).toBe(result.outputs.digest)
    // The user's docker config is not changed: it still has no plugin, and the run's folder is gone.
    expect(fs.existsSync(path.join(first.home, '.docker/cli-plugins'))).toBe(false)
    expect(fs.readdirSync(first.runnerTemp)).toEqual([])

    // The next run of the machine: the same tool cache, no download.
    const second = withoutBuildx()
    const again = await run(second, toolCache, { ...inputs, tags: 'two' })
    expect(again.result.code).toBe(0)
    expect(again.result.log).toMatch(/buildx v0\.29\.1: from the runner's tool cache/)
    expect(releases.downloadsOf(ASSET)).toBe(1)
    expect(again.calls.filter((c) => c.startsWith('buildx build '))).toHaveLength(1)
    expect((await fetchManifest(s.plain, name, 'two')).header).toBe(again.result.outputs.digest)
  }, 180_000)

  it('resolves latest through the release page’s redirect', async () => {
    const releases = await serve()
    const ws = withoutBuildx()
    const toolCache = path.join(ws.workspace, 'tool-cache')
    const name = uniqueName('buildx-latest')
    const { result, calls } = await run(ws, toolCache, {
      images: `${s.plain}/${name}`,
      tags: 'latest-buildx',
      'buildx-version': 'latest',
      'buildx-download-url': releases.base
    })
    expect(result.code).toBe(0)
    expect(releases.requests.map((r) => `${r.status} ${r.path}`)).toEqual([
      '302 /releases/latest',
      `200 /releases/download/${TAG}/${ASSET}`,
      `200 /releases/download/${TAG}/checksums.txt`
    ])
    expect(result.log).toContain('this run uses v0.29.1')
    expect(cachedBuildx(toolCache)).toHaveLength(1)
    expect(calls.filter((c) => c.startsWith('buildx build '))).toHaveLength(1)
    expect((await fetchManifest(s.plain, name, 'latest-buildx')).header).toBe(result.outputs.digest)
  }, 120_000)

  it('refuses a download whose sha256 is not the release’s: an input error, and nothing is used', async () => {
    const wrong = 'f'.repeat(64)
    const releases = await serve(wrong)
    const ws = withoutBuildx()
    const toolCache = path.join(ws.workspace, 'tool-cache')
    const name = uniqueName('buildx-wrong')
    const { result, calls } = await run(ws, toolCache, {
      images: `${s.plain}/${name}`,
      tags: 'never',
      'buildx-version': TAG,
      'buildx-download-url': releases.base
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::Input 'buildx-version': /)
    expect(errors[0]).toContain(`has sha256 ${sha256Hex(BUILDX)}`)
    expect(errors[0]).toContain(`says ${wrong}`)
    expect(errors[0]).toContain('nothing was used')
    expect(errors[0]).toContain('Fix:')
    expect(releases.downloadsOf(ASSET)).toBe(1)
    // Nothing built, nothing kept, nothing left.
    expect(calls.filter((c) => /build /.test(c))).toEqual([])
    expect(cachedBuildx(toolCache)).toEqual([])
    expect(filesBelow(ws.runnerTemp)).toEqual([])
    expect((await fetchManifest(s.plain, name, 'never')).status).toBe(404)
    expect(result.outputs.digest ?? '').toBe('')
  }, 120_000)
})
