// The context every bench case gets from scripts/bench.mjs's main(): the run's id and
// repository namespace, its temporary folders (made by createContext, removed by
// cleanUp), the services, the number of runs, and per Docker world
// (ctx.world('classic' | 'hosted' | 'builder')) the helpers bound to that world: docker
// and bash commands with its CLI first on PATH, its DOCKER_HOST and its current builder,
// build contexts on its base image, the images and the build cache of a case, and the
// action run as the runner runs it (scripts/lib/step-runner.mjs), in a workflow's
// environment.
import { spawnSync } from 'node:child_process'
import { randomBytes, randomFillSync } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { cleanEnv, makeLayout, runMain, runPost, runProcess } from '../lib/step-runner.mjs'
import { parseTrace } from './logs.mjs'
import { alternate, tail, watchDescendants } from './measure.mjs'

export const MB = 1024 * 1024
/** The image of every push row (issue 16's): 3 layers of 20 MB of random bytes. */
export const RANDOM_LAYERS = 3
export const LAYER_MB = 20
/** The slow step of the cache cases: 32 MB of random bytes, hashed 20 times (CPU work BuildKit caches; seconds). */
export const SLOW_STEP =
  'dd if=/dev/urandom of=/big bs=1M count=32 2>/dev/null && i=0 && while [ $i -lt 20 ]; do /bin/busybox sha256sum /big >/big.sha256; i=$((i+1)); done'

/** What each world is, in words, for the report. */
export const WORLD_TITLES = {
  classic: 'classic world: engine 20.10, CLI 28 without buildx, so `docker build` is the classic builder',
  hosted:
    'hosted world: engine 28.5.2 on the classic image store, CLI 28.5.2 and buildx 0.29.1 (docker driver), so `docker build` is buildx',
  builder:
    'builder world: the hosted world’s engine, CLI and buildx with a standalone BuildKit as the current builder (remote driver, `ship-image-remote`), as docker/setup-buildx-action leaves a runner: images are pushed from BuildKit'
}

/** The repository the bench's runs pretend to be built from (the OCI source and title labels). */
export const WORKFLOW_REPOSITORY = 'ship-image/bench-app'

/**
 * A bench run: makes its temporary folder (workspace and a files folder inside).
 * `runs` per side of each case, `startupRuns` for the start-up case, `services` as
 * scripts/lib/services.mjs reads them.
 */
export function createContext({ runs, startupRuns, services }) {
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-bench-'))
  const workspace = path.join(tmp, 'workspace')
  fs.mkdirSync(workspace, { recursive: true })
  const started = performance.now()
  const worlds = new Map()

  const ctx = {
    id,
    /** Repository namespace of everything this run makes. */
    ns: `ship-image-bench-${id}`,
    tmp,
    workspace,
    services,
    runs,
    startupRuns,
    started,

    /** A line on stdout with the seconds since the start. */
    progress(message) {
      const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4)
      console.log(`[${t}s] ${message}`)
    },

    /** measure.mjs alternate, `runs` times (this run's runs per side by default), with progress lines. */
    alternate(label, sides, count = runs) {
      return alternate(label, sides, count, ctx.progress)
    },

    contextDir(name) {
      return path.join(workspace, 'ctx', name)
    },

    /** Removes a build context made by makeContext. */
    removeContext(name) {
      fs.rmSync(ctx.contextDir(name), { recursive: true, force: true })
    },

    /** The label every image of a case carries, to find and remove them all. */
    labelOf(caseName) {
      return `ship-image-bench=${id}-${caseName}`
    },

    /**
     * A build context: FROM `from`, this case's label, then `binariesMb` of this
     * machine's shared libraries, `randomLayers` COPY'd files of `layerMb` random
     * bytes, a compressible text file of `textLayerMb`, or (slowRun) a slow cacheable
     * RUN step, unique to this context (its name and the run's id are written
     * first, so no other context's build can be its cache); last a one-line file,
     * app.txt. Worlds give `from` (world.makeContext).
     */
    makeContext(
      name,
      caseName,
      { randomLayers = 0, layerMb = LAYER_MB, textLayerMb = 0, slowRun = false, binariesMb = 0, from }
    ) {
      const dir = ctx.contextDir(name)
      fs.mkdirSync(dir, { recursive: true })
      const lines = [`FROM ${from}`, `LABEL ${ctx.labelOf(caseName)}`]
      if (binariesMb > 0) {
        copyLibraries(path.join(dir, 'lib'), binariesMb * MB)
        lines.push('COPY lib /lib-sample')
      }
      for (let n = 1; n <= randomLayers; n++) {
        fs.writeFileSync(path.join(dir, `random-${n}.bin`), randomFillSync(Buffer.alloc(layerMb * MB)))
        lines.push(`COPY random-${n}.bin /data/random-${n}.bin`)
      }
      if (textLayerMb > 0) {
        fs.writeFileSync(path.join(dir, 'log.txt'), logLikeText(textLayerMb * MB))
        lines.push('COPY log.txt /data/log.txt')
      }
      if (slowRun) lines.push(`RUN echo ${id}-${name} >/seed && ${SLOW_STEP}`)
      fs.writeFileSync(path.join(dir, 'app.txt'), `${name}\n`)
      lines.push('COPY app.txt /app.txt')
      fs.writeFileSync(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`)
      return dir
    },

    /** The bench's docker helpers in a world of services.json (WORLDS of scripts/bench.mjs), made once. */
    world(name) {
      if (!worlds.has(name)) worlds.set(name, makeWorld(ctx, name))
      return worlds.get(name)
    },

    /** Removes the images of the given cases in every world used, and the temporary folder. */
    cleanUp(caseNames) {
      for (const w of worlds.values()) for (const name of caseNames) w.removeImages(name)
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }
  return ctx
}

/**
 * A world's helpers: its CLI first on PATH (a folder with a `docker` symlink, as the
 * e2e harness does), its DOCKER_HOST, and a HOME of its own, whose
 * ~/.docker/cli-plugins has docker-buildx in the worlds with buildx (the way
 * docker/setup-buildx-action gives buildx to a user) and, in the builder world,
 * whose ~/.docker/buildx is a copy of services.json's buildxConfig, in which the
 * remote BuildKit is the current builder (what setup-buildx-action leaves there; a
 * copy, as buildx writes to it). Both sides of every case run with this environment,
 * so a bare `docker buildx build` of the baseline gets the builder the action gets.
 */
function makeWorld(ctx, name) {
  const info = ctx.services.worlds?.[name]
  if (!info) throw new Error(`services.json has no ${name} world: run scripts/services.sh from this checkout`)
  const root = path.join(ctx.tmp, `world-${name}`)
  const bin = path.join(root, 'bin')
  const home = path.join(root, 'home')
  fs.mkdirSync(bin, { recursive: true })
  fs.mkdirSync(path.join(home, '.docker'), { recursive: true })
  fs.symlinkSync(info.cli, path.join(bin, 'docker'))
  if (info.pluginsDir) {
    fs.mkdirSync(path.join(home, '.docker/cli-plugins'))
    fs.symlinkSync(path.join(info.pluginsDir, 'docker-buildx'), path.join(home, '.docker/cli-plugins/docker-buildx'))
  }
  const builder = info.builder ?? undefined
  if (builder?.buildxConfig)
    fs.cpSync(builder.buildxConfig, path.join(home, '.docker/buildx'), {
      recursive: true,
      filter: (from) => path.basename(from) !== '.ship-image-stamp'
    })
  // The trace shim: logs `start end exit args` (ns) of every docker command, then
  // passes the exit code on. Put first on PATH for a traced run only.
  const shimDir = path.join(root, 'trace-shim')
  fs.mkdirSync(shimDir)
  fs.writeFileSync(
    path.join(shimDir, 'docker'),
    [
      '#!/bin/sh',
      's=$(date +%s%N)',
      `${JSON.stringify(info.cli)} "$@"`,
      'rc=$?',
      'printf \'%s %s %s %s\\n\' "$s" "$(date +%s%N)" "$rc" "$*" >>"$BENCH_TRACE"',
      'exit $rc',
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
  let steps = 0
  let traces = 0
  const pathWith = (dir) => `${dir}${path.delimiter}${process.env.PATH ?? ''}`
  // PATH with the world's CLI first, and with `traceFile` the trace shim before it.
  const pathEnv = (traceFile) =>
    traceFile
      ? { PATH: pathWith(`${shimDir}${path.delimiter}${bin}`), BENCH_TRACE: traceFile }
      : { PATH: pathWith(bin) }

  const w = {
    name,
    info,
    title: WORLD_TITLES[name] ?? name,
    /** Whether `docker build` here goes through buildx. */
    buildx: Boolean(info.pluginsDir),
    /** The current builder of services.json (name, driver, …), or undefined (the classic builder). */
    builder,
    /** Whether the current builder is a BuildKit outside the engine: a build pushes from it and leaves nothing in the engine. */
    remote: Boolean(builder && builder.driver !== 'docker'),
    /**
     * The network a RUN step must name here, or undefined: the engines of
     * scripts/services.sh have no bridge, so their own BuildKit (the docker driver)
     * runs a RUN step only on the host's network (as the e2e harness gives it); the
     * classic builder and the remote BuildKit need nothing.
     */
    runNetwork: builder?.driver === 'docker' ? 'host' : undefined,
    /** The TLS registry with the test login, under the name this world's builder can push to over TLS. */
    tls: builder && builder.driver !== 'docker' ? ctx.services.tlsNamed : ctx.services.tls,

    /** ctx.makeContext FROM this world's base image (a registry's for a BuildKit outside the engine) unless `from` says. */
    makeContext(contextName, caseName, options = {}) {
      return ctx.makeContext(contextName, caseName, { from: info.baseImage, ...options })
    },

    /** The environment of every command in this world: this process's minus runner variables, with the world's PATH, DOCKER_HOST and HOME. */
    env(extra = {}) {
      return { ...cleanEnv(), HOME: home, ...pathEnv(), DOCKER_HOST: info.dockerHost, ...extra }
    },

    /** A docker command run to completion (untimed set-up and clean-up). */
    docker(args, { allowFail = false, input } = {}) {
      const result = spawnSync(info.cli, args, { encoding: 'utf8', env: w.env(), maxBuffer: 64 * MB, input })
      if (result.status !== 0 && !allowFail)
        throw new Error(`docker ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`)
      return result
    },

    /** A command run to completion in the workspace, in this world: step-runner's runProcess (its exit code, output, `ms`, `spawnedAt`). */
    timed(command, args, options = {}) {
      return runProcess(command, args, { cwd: ctx.workspace, env: w.env(), ...options })
    },

    /** `bash -c SCRIPT _ ARGS…` with pipefail, timed; throws when it fails. */
    async bash(script, args, { env = {} } = {}) {
      const run = await w.timed('bash', ['-c', `set -euo pipefail; ${script}`, 'bench', ...args], {
        env: w.env(env)
      })
      if (run.code !== 0) throw new Error(`bash -c '${script}' failed (exit ${run.code}): ${tail(run.stderr)}`)
      return run
    },

    /**
     * `command args…` through the trace shim: resolves with measure.mjs timed's result
     * and `trace`, its docker commands (logs.mjs parseTrace).
     */
    async traced(command, args, options = {}) {
      const file = path.join(root, `trace-${++traces}`)
      const run = await w.timed(command, args, { ...options, env: w.env({ ...options.env, ...pathEnv(file) }) })
      return { ...run, trace: readTrace(file) }
    },

    /**
     * Builds each `{ dir, tag }`, `parallel` at a time, untimed: set-up that fills the
     * build cache before the timed runs (side by side only shortens the bench). With
     * a remote builder the result stays in BuildKit's cache only (no tag, nothing in
     * the engine): that is where the timed builds look.
     */
    async prebuild(items, parallel = 2) {
      const queue = [...items]
      const worker = async () => {
        for (let item = queue.shift(); item; item = queue.shift()) {
          const args = w.remote
            ? ['buildx', 'build', '--quiet', item.dir]
            : ['build', '--quiet', '--tag', item.tag, item.dir]
          const run = await w.timed('docker', args)
          if (run.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${tail(run.stderr)}`)
        }
      }
      await Promise.all(Array.from({ length: parallel }, worker))
    },

    /**
     * A builder as a hosted runner's for every run: a fresh BuildKit with an empty
     * cache. Empties the current builder's cache (`docker buildx prune --all` of the
     * remote builder; the engine's `docker builder prune --all`) and removes the
     * case's images from the engine (an image's layers would be the classic store's
     * cache); fails if any of them is left. On a machine shared with other suites this
     * empties their build cache too.
     */
    coldBuilder(caseName) {
      w.removeImages(caseName)
      w.docker(
        w.remote
          ? ['buildx', 'prune', '--all', '--force', '--builder', builder.name]
          : ['builder', 'prune', '--all', '--force']
      )
      const left = w
        .docker(['image', 'ls', '--all', '--quiet', '--filter', `label=${ctx.labelOf(caseName)}`])
        .stdout.trim()
      if (left !== '')
        throw new Error(`images of the ${caseName} case are still in the engine: ${left.split('\n').join(' ')}`)
    },

    /**
     * Removes every image of a case in this world, tagged or not: everything it
     * builds carries the case's label (makeContext), and `image prune --all` with
     * that label removes them all. (Listing them first costs seconds on the
     * containerd store of a busy engine.)
     */
    removeImages(caseName) {
      w.docker(['image', 'prune', '--all', '--force', '--filter', `label=${ctx.labelOf(caseName)}`], {
        allowFail: true
      })
    },

    /** Removes these image references from the engine (by name, whatever is missing). */
    removeRefs(refs) {
      for (let k = 0; k < refs.length; k += 100)
        w.docker(['image', 'rm', '--force', ...refs.slice(k, k + 100)], { allowFail: true })
    },

    /** The CLI, engine and buildx versions and the current builder, for the report. */
    versions() {
      const v = w.docker(['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], { allowFail: true })
      const [cli, engine] = v.stdout.trim().split(' ')
      return {
        cli: cli ?? '?',
        engine: engine ?? '?',
        buildx: info.buildx ?? 'none',
        builder: builder
          ? `${builder.name} (${builder.driver} driver${builder.endpoint ? `, ${builder.endpoint}` : ''})`
          : 'none',
        containerdStore: info.containerdStore
      }
    },

    /**
     * One run of the action as the runner does it (scripts/lib/step-runner.mjs): the
     * main step, then (unless post: false) the post step, in a fresh layout whose
     * workspace is the bench's and HOME this world's, in the environment of a push
     * to main (workflowEnv); throws when a step fails. `ms` covers both steps,
     * `mainMs` and `postMs` each; `watch` collects the names of the main step's
     * descendant processes in `seen`; `onStdout(all, ms)` sees its stdout; `trace`
     * puts the trace shim first on PATH and returns the docker commands of each step;
     * `sha` is the commit (a new one by default), for runs that must share one (a merge's parts).
     */
    async runAction(inputs, { env = {}, post = true, watch = false, onStdout, trace = false, sha } = {}) {
      const layout = makeLayout(path.join(ctx.tmp, 'steps', String(++steps)), { workspace: ctx.workspace, home })
      const seen = new Set()
      const traceFile = path.join(layout.root, 'trace')
      const stepEnv = {
        ...workflowEnv(layout.root, sha),
        ...pathEnv(trace && traceFile),
        DOCKER_HOST: info.dockerHost,
        ...env
      }
      try {
        const onSpawn = watch ? watchDescendants(seen) : undefined
        const main = await runMain(layout, inputs, { env: stepEnv, onStdout, onSpawn })
        const mainTrace = trace ? readTrace(traceFile, true) : []
        // As the runner does (post-if: always()): the post step whatever the main step's exit code.
        const postResult = post ? await runPost(layout, main.state, { env: stepEnv }) : undefined
        if (main.code !== 0) throw new Error(`the action failed (exit ${main.code}):\n${tail(main.log)}`)
        if (postResult && postResult.code !== 0)
          throw new Error(`the post step failed (exit ${postResult.code}):\n${tail(postResult.log)}`)
        const postMs = postResult?.ms ?? 0
        return {
          ms: main.ms + postMs,
          mainMs: main.ms,
          postMs,
          log: main.log,
          outputs: main.outputs,
          seen,
          spawnedAt: main.spawnedAt,
          postSpawnedAt: postResult?.spawnedAt,
          trace: mainTrace,
          postTrace: trace && postResult ? readTrace(traceFile) : []
        }
      } finally {
        fs.rmSync(layout.root, { recursive: true, force: true })
      }
    }
  }
  return w
}

/** The trace shim's file, parsed; `consume` empties it (so the post step's commands come alone). */
function readTrace(file, consume = false) {
  if (!fs.existsSync(file)) return []
  const entries = parseTrace(fs.readFileSync(file, 'utf8'))
  if (consume) fs.rmSync(file)
  return entries
}

/**
 * The variables of a workflow run for a push to main of WORKFLOW_REPOSITORY on a
 * GitHub-hosted runner, each run a new commit (as when every run builds new
 * layers, unless `sha` is given): the action then sets its five OCI labels (source, revision, version,
 * created, title) as it does in a real workflow. The event payload goes to
 * `dir`/event.json.
 */
export function workflowEnv(dir, sha = randomBytes(20).toString('hex')) {
  const event = path.join(dir, 'event.json')
  fs.writeFileSync(
    event,
    JSON.stringify({
      ref: 'refs/heads/main',
      after: sha,
      head_commit: { id: sha, timestamp: '2026-11-30T12:00:00Z', message: 'bench' },
      repository: {
        full_name: WORKFLOW_REPOSITORY,
        html_url: `https://github.com/${WORKFLOW_REPOSITORY}`,
        default_branch: 'main'
      }
    })
  )
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: WORKFLOW_REPOSITORY,
    GITHUB_REPOSITORY_OWNER: WORKFLOW_REPOSITORY.split('/')[0],
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'image',
    GITHUB_WORKFLOW: 'bench',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_OS: 'Linux'
  }
}

/** The size of a file, which is then deleted. */
export function takeFile(file) {
  const size = fs.statSync(file).size
  fs.rmSync(file)
  return size
}

/** The bytes of the regular files below a folder. */
export function dirBytes(dir) {
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size
  return total
}

/** The path of a command on PATH, or undefined. */
export function which(command) {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** Regular files from /usr/lib, in name order, until about `bytes`: real executable code. */
function copyLibraries(dest, bytes) {
  fs.mkdirSync(dest, { recursive: true })
  let total = 0
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (total >= bytes) return
      const from = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(from)
      else if (entry.isFile() && /\.so(\.|$)/.test(entry.name)) {
        const size = fs.statSync(from).size
        if (size === 0 || size > 8 * MB) continue
        fs.copyFileSync(from, path.join(dest, `${total}-${entry.name}`))
        total += size
      }
    }
  }
  walk('/usr/lib')
  if (total < bytes * 0.9)
    throw new Error(
      `only ${(total / MB).toFixed(0)} MB of shared libraries in /usr/lib, not ${(bytes / MB).toFixed(0)}`
    )
}

/** About `bytes` of log-like text: compresses several times, not trivially. */
function logLikeText(bytes) {
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN']
  const parts = []
  let size = 0
  // Random bytes drawn 64 KiB at a time (4 per line): one call per line is slow for 80 MB.
  let pool = randomBytes(65536)
  let at = 0
  for (let n = 0; size < bytes; n++) {
    if (at + 4 > pool.length) {
      pool = randomBytes(65536)
      at = 0
    }
    const r = pool.subarray(at, at + 4)
    at += 4
    const line = `2024-05-${String(1 + (n % 28)).padStart(2, '0')}T12:${String(n % 60).padStart(2, '0')}:00Z ${levels[r[0] % 5]} worker-${r[1] % 8} request id=${r.toString('hex')} path=/api/v1/items/${r.readUInt16LE(2)} status=${r[2] % 10 ? 200 : 404} ms=${r[3]}\n`
    parts.push(line)
    size += line.length
  }
  return parts.join('').slice(0, bytes)
}
