// The build cache (issue 24), end to end, as a hosted runner sees it. In the builder
// world (docker/setup-buildx-action's BuildKit, which forgets everything between
// jobs), `cache: registry` writes `<repo>:buildcache-<branch>` beside the image in
// the TLS registry it logs in to, and the next commit's build, on an emptied
// builder, takes its slow RUN step from there; a branch reads the default branch's
// cache and writes only its own. The docker driver on the classic image store (the
// hosted world) cannot export a registry cache: refused before the build. Nothing is
// written without push. The GitHub Actions cache cannot run here (this BuildKit has
// no gha backend): its command line is shown by the dry run, and the runner's token
// is shown to reach the build alone.
import { describe, expect } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as https from 'node:https'
import * as path from 'node:path'
import {
  setup,
  commands,
  dockerIn,
  dockerShim,
  fetchManifest,
  filesBelow,
  has,
  itWhere,
  makeWorkspace,
  realDocker,
  runMain,
  uniqueName,
  visibleLog,
  world
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'

const { s, login, auth } = setup()

/**
 * A Dockerfile whose RUN step is this test's own (the marker), slow-ish, and writes
 * random bytes: a layer no second run of it makes again, so the same layer in a
 * later image is that step taken from the cache. Then a COPY of the one file a commit changes.
 */
function slowDockerfile(marker: string): string {
  return [
    `FROM ${s.baseImage}`,
    `RUN echo ${marker} > /marker && head -c 16 /dev/urandom | od -x > /random && sleep 3`,
    'COPY hello.txt /hello.txt',
    ''
  ].join('\n')
}

/** A workspace of one commit: the Dockerfile, and hello.txt as that commit has it. */
function checkout(marker: string, hello: string): Workspace {
  const ws = makeWorkspace(slowDockerfile(marker))
  fs.writeFileSync(path.join(ws.workspace, 'app/hello.txt'), `${hello}\n`)
  return ws
}

const commit = (): string => randomBytes(20).toString('hex')

/** A push to `branch` of a repository whose default branch is main, as the runner describes it. */
function pushTo(ws: Workspace, branch: string, sha = commit()): Record<string, string> {
  const payload = path.join(ws.root, 'event.json')
  fs.writeFileSync(
    payload,
    JSON.stringify({ ref: `refs/heads/${branch}`, repository: { default_branch: 'main', full_name: 'octo-org/app' } })
  )
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: `refs/heads/${branch}`,
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: payload,
    GITHUB_REPOSITORY: 'octo-org/app',
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

/** The layers of an image the TLS registry serves: the base image's, the RUN step's, the COPY's. */
async function layersOf(name: string, tag: string): Promise<string[]> {
  const manifest = await fetchManifest(s.tls, name, tag, auth)
  expect(manifest.status).toBe(200)
  return (JSON.parse(manifest.body.toString()) as { layers: { digest: string }[] }).layers.map((l) => l.digest)
}

/** The tags of a repository of the TLS registry, from its API. */
function tagsOf(name: string): Promise<string[]> {
  const [host, port] = s.tls.split(':')
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host,
        port: Number(port),
        path: `/v2/${name}/tags/list`,
        ca: fs.readFileSync(s.caFile),
        headers: { Authorization: `Basic ${Buffer.from(`${s.username}:${s.password}`).toString('base64')}` }
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`tags of ${name}: HTTP ${res.statusCode} ${body}`))
          resolve(((JSON.parse(body) as { tags: string[] | null }).tags ?? []).sort())
        })
      }
    )
    req.on('error', reject)
    req.end()
  })
}

/** Empties the remote builder's cache, as a new job's builder is: `docker buildx prune` of that builder. */
function emptyBuilderCache(ws: Workspace): void {
  dockerIn(ws, ['buildx', 'prune', '--all', '--force', '--builder', world.builder?.name ?? ''])
}

/** What the summary says of the build's cache: `[cached, steps]`. */
function cachedSteps(ws: Workspace): [number, number] | undefined {
  const summary = fs.readFileSync(ws.summaryFile, 'utf8')
  const none = /no step of (\d+) cached/.exec(summary)
  if (none) return [0, Number(none[1])]
  const some = /(\d+) of (\d+) steps cached/.exec(summary)
  return some ? [Number(some[1]), Number(some[2])] : undefined
}

const registryCache = (repository: string, branch: string): string =>
  `type=registry,ref=${repository}:buildcache-${branch}`

describe('cache: registry with a builder outside the engine', () => {
  const it = itWhere(
    has.remoteBuilder,
    'a runner’s own BuildKit (setup-buildx-action’s) is what starts each job empty and exports every cache type'
  )

  it('writes buildcache-<branch>, and the next commit’s build on an emptied builder takes its RUN step from it', async () => {
    const marker = uniqueName('slow')
    const name = uniqueName('cached')
    const repository = `${s.tls}/${name}`
    const inputs = { images: repository, context: 'app', cache: 'registry', ...login }

    const first = checkout(marker, 'one')
    const run1 = await runMain(first, inputs, pushTo(first, 'main'))
    expect(run1.code).toBe(0)
    expect(run1.log).toContain(`--cache-to ${registryCache(repository, 'main')},mode=max,ignore-error=true`)
    expect(cachedSteps(first)).toEqual([0, 2])
    const layers1 = await layersOf(name, 'main')
    expect(layers1).toHaveLength(3)
    const written = await fetchManifest(s.tls, name, 'buildcache-main', auth)
    expect(written.status).toBe(200)
    expect(written.header).toBe(written.computed)

    // A new job: its builder has no cache of its own.
    const second = checkout(marker, 'two')
    emptyBuilderCache(second)
    const run2 = await runMain(second, inputs, pushTo(second, 'main'))
    expect(run2.code).toBe(0)
    expect(run2.log).toContain(`importing cache manifest from ${repository}:buildcache-main`)
    // The RUN step's layer is run 1's (its random bytes were not made again); the changed file's is new.
    const layers2 = await layersOf(name, 'main')
    expect(layers2[1]).toBe(layers1[1])
    expect(layers2[2]).not.toBe(layers1[2])
    expect(cachedSteps(second)).toEqual([1, 2])
    expect(run2.outputs.digest).not.toBe(run1.outputs.digest)
    // Not a notice or warning about the cache: it was read and written.
    expect(commands(run2.log, 'warning')).toEqual([])
  }, 180_000)

  it('reads the default branch’s cache on a branch, and writes only the branch’s own', async () => {
    const marker = uniqueName('branch')
    const name = uniqueName('branch-cache')
    const repository = `${s.tls}/${name}`
    const inputs = { images: repository, context: 'app', cache: 'registry', ...login }

    const onMain = checkout(marker, 'one')
    expect((await runMain(onMain, inputs, pushTo(onMain, 'main'))).code).toBe(0)
    const mainLayers = await layersOf(name, 'main')
    const mainCache = await fetchManifest(s.tls, name, 'buildcache-main', auth)
    expect(mainCache.status).toBe(200)

    const onBranch = checkout(marker, 'two')
    emptyBuilderCache(onBranch)
    const branch = await runMain(onBranch, inputs, pushTo(onBranch, 'feature/login'))
    expect(branch.code).toBe(0)
    // It reads its own cache first (none yet), then main's; it writes its own alone.
    expect(branch.log).toContain(
      `--cache-from ${registryCache(repository, 'feature-login')} --cache-from ${registryCache(repository, 'main')} --cache-to ${registryCache(repository, 'feature-login')},mode=max,ignore-error=true `
    )
    expect(branch.log.match(/--cache-to /g)).toHaveLength(1)
    expect(branch.log).toContain(`importing cache manifest from ${repository}:buildcache-main`)
    expect((await layersOf(name, 'feature-login'))[1]).toBe(mainLayers[1])
    expect(cachedSteps(onBranch)).toEqual([1, 2])
    const tags = await tagsOf(name)
    expect(tags.filter((t) => t.startsWith('buildcache-'))).toEqual(['buildcache-feature-login', 'buildcache-main'])
    // main's cache is as main's run left it.
    expect((await fetchManifest(s.tls, name, 'buildcache-main', auth)).header).toBe(mainCache.header)
  }, 180_000)
})

describe('cache: registry without push', () => {
  itWhere(has.buildx, 'shown with buildx, whose builders can write a registry cache')(
    'writes no cache',
    async () => {
      const marker = uniqueName('unpushed')
      const name = uniqueName('no-push-cache')
      const repository = `${s.tls}/${name}`
      const ws = checkout(marker, 'one')
      const result = await runMain(
        ws,
        { images: repository, context: 'app', cache: 'registry', push: 'false', ...login },
        pushTo(ws, 'main')
      )
      expect(result.code).toBe(0)
      expect(result.log).not.toContain('--cache-to')
      expect(result.log).not.toContain('BUILDKIT_INLINE_CACHE')
      expect((await fetchManifest(s.tls, name, 'buildcache-main', auth)).status).toBe(404)
      expect((await fetchManifest(s.tls, name, 'main', auth)).status).toBe(404)
    },
    120_000
  )
})

describe('cache-to on the docker driver with the classic image store', () => {
  itWhere(has.dockerDriver && !has.containerdStore, 'only this builder exports an inline cache alone')(
    'is refused before any docker command but the image store probe, naming the fix',
    async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws)
      const name = uniqueName('cache-to-refused')
      const result = await runMain(
        ws,
        {
          images: `${s.plain}/${name}`,
          tags: 'v1',
          context: 'app',
          'cache-to': `type=registry,ref=${s.plain}/${name}:buildcache,mode=max`
        },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(shim.calls()).toHaveLength(1)
      expect(shim.calls()[0]).toMatch(/^info /)
      const errors = commands(result.log, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(
        /^::error::Input 'cache-to': this builder \(buildx's docker driver on the classic image store, or the CLI's built-in BuildKit\) can export only an inline cache \(type=inline\), not type=registry,ref=/
      )
      expect(errors[0]).toContain('Fix: add a docker/setup-buildx-action step before this one')
      expect(errors[0]).toContain('containerd image store')
      expect((await fetchManifest(s.plain, name, 'v1')).status).toBe(404)
      expect((await fetchManifest(s.plain, name, 'buildcache')).status).toBe(404)
    }
  )
})

describe('cache: gha', () => {
  const it = itWhere(has.remoteBuilder, 'shown with a builder that exports every cache type (setup-buildx-action’s)')

  it('is buildx’s type=gha cache keyed by branch, as the dry run prints it', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('gha-dry')}`
    const result = await runMain(
      ws,
      { images: repository, context: 'app', cache: 'gha', 'dry-run': 'true' },
      pushTo(ws, 'feature/x')
    )
    expect(result.code).toBe(0)
    const build = result.log.split('\n').filter((l) => l.startsWith('docker buildx build '))
    expect(build).toHaveLength(1)
    expect(build[0]).toContain(
      ' --cache-from type=gha,scope=feature-x --cache-from type=gha,scope=main --cache-to type=gha,scope=feature-x,mode=max,ignore-error=true '
    )
  })

  it('gives the runner’s cache token to the build alone, never in argv, the log or the outputs', async () => {
    const token = `runtime-${randomBytes(12).toString('hex')}`
    const oidc = `oidc-${randomBytes(12).toString('hex')}`
    const ws = makeWorkspace()
    // A docker that keeps each call's argv and environment. This BuildKit has no gha
    // backend ("unknown cache exporter"), so the build's gha specs are dropped after
    // they are recorded: the rest of the run goes on as on a runner.
    const shim = path.join(ws.root, 'env-shim')
    const record = path.join(ws.root, 'calls')
    fs.mkdirSync(shim)
    fs.mkdirSync(record)
    const script = [
      '#!/bin/sh',
      `f=$(mktemp ${JSON.stringify(record)}/call.XXXXXX)`,
      `printf '%s\\n' "$*" > "$f"`,
      'env >> "$f"',
      'if [ "$1 $2" = "buildx build" ]; then',
      '  n=$#; flag=',
      '  for a in "$@"; do',
      '    if [ -n "$flag" ]; then',
      '      case "$a" in type=gha*) ;; *) set -- "$@" "$flag" "$a" ;; esac',
      '      flag=; continue',
      '    fi',
      '    case "$a" in --cache-from|--cache-to) flag=$a ;; *) set -- "$@" "$a" ;; esac',
      '  done',
      '  shift $n',
      'fi',
      `exec ${JSON.stringify(realDocker())} "$@"`,
      ''
    ].join('\n')
    fs.writeFileSync(path.join(shim, 'docker'), script, { mode: 0o755 })
    const name = uniqueName('gha-token')
    const repository = `${s.tls}/${name}`
    const result: StepResult = await runMain(
      ws,
      { images: repository, context: 'app', cache: 'gha', ...login },
      {
        ...pushTo(ws, 'main'),
        PATH: `${shim}:${process.env.PATH}`,
        ACTIONS_RUNTIME_TOKEN: token,
        ACTIONS_CACHE_URL: 'http://127.0.0.1:9/',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc,
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token'
      }
    )
    expect(result.code).toBe(0)
    const calls = fs.readdirSync(record).map((f) => {
      const [argv, ...env] = fs.readFileSync(path.join(record, f), 'utf8').split('\n')
      return { argv, env }
    })
    // The login, the build and the read-back at least: several calls, one of them the build.
    expect(calls.length).toBeGreaterThanOrEqual(3)
    expect(calls.map((c) => c.argv)).toEqual(expect.arrayContaining([expect.stringMatching(/^login /)]))
    const withToken = calls.filter((c) => c.env.includes(`ACTIONS_RUNTIME_TOKEN=${token}`)).map((c) => c.argv)
    expect(withToken).toHaveLength(1)
    expect(withToken[0]).toMatch(/^buildx build --push .*--cache-to type=gha,scope=main,mode=max,ignore-error=true /)
    // No other call has the variable at all, and no call has the OIDC request token.
    expect(calls.filter((c) => c.env.some((e) => e.startsWith('ACTIONS_RUNTIME_TOKEN=')))).toHaveLength(1)
    expect(calls.filter((c) => c.env.some((e) => e.startsWith('ACTIONS_ID_TOKEN_REQUEST_TOKEN=')))).toEqual([])
    for (const { argv } of calls) expect(argv).not.toContain(token)
    expect(visibleLog(result.log)).not.toContain(token)
    expect(JSON.stringify(result.outputs)).not.toContain(token)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).not.toContain(token)
    for (const file of filesBelow(ws.runnerTemp)) expect(fs.readFileSync(file, 'utf8')).not.toContain(token)
    expect((await fetchManifest(s.tls, name, 'main', auth)).header).toBe(result.outputs.digest)
  }, 120_000)
})
