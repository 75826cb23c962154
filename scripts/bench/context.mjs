// The context every bench case gets from scripts/bench.mjs's main(): the run's id and
// repository namespace, its temporary folders (made by createContext, removed by
// cleanUp), the services, the number of runs, and the helpers that need them: docker
// and bash commands, build contexts, the images of a case, and the action run as the
// runner runs it (scripts/lib/step-runner.mjs).
import { spawnSync } from 'node:child_process'
import { randomBytes, randomFillSync } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { cleanEnv, makeLayout, runSteps } from '../lib/step-runner.mjs'
import { alternate, tail, timed, watchDescendants } from './measure.mjs'

export const MB = 1024 * 1024
/** Incompressible layers of every pushed and saved image. */
export const RANDOM_LAYERS = 4
export const LAYER_MB = 8

/**
 * A bench run: makes its temporary folder (workspace and an empty HOME inside).
 * `runs` per side of each case, `startupRuns` for the start-up case, `services` as
 * scripts/lib/services.mjs reads them.
 */
export function createContext({ runs, startupRuns, services }) {
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-bench-'))
  const workspace = path.join(tmp, 'workspace')
  const home = path.join(tmp, 'home')
  for (const dir of [workspace, home]) fs.mkdirSync(dir, { recursive: true })
  const started = performance.now()
  let steps = 0

  const ctx = {
    id,
    /** Repository namespace of everything this run makes. */
    ns: `ship-image-bench-${id}`,
    tmp,
    workspace,
    home,
    services,
    runs,
    startupRuns,
    started,

    /** A line on stdout with the seconds since the start. */
    progress(message) {
      const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4)
      console.log(`[${t}s] ${message}`)
    },

    /** The environment of every command: this one's, minus runner variables, with the empty HOME. */
    env() {
      return { ...cleanEnv(), HOME: home }
    },

    /** A docker command run to completion (untimed set-up and clean-up). */
    docker(args, { allowFail = false } = {}) {
      const result = spawnSync('docker', args, { encoding: 'utf8', env: ctx.env(), maxBuffer: 64 * MB })
      if (result.status !== 0 && !allowFail)
        throw new Error(`docker ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`)
      return result
    },

    /** measure.mjs timed, in the workspace. */
    timed(command, args, options = {}) {
      return timed(command, args, { cwd: workspace, ...options })
    },

    /** `bash -c SCRIPT _ ARGS…` with pipefail, timed; throws when it fails. */
    async bash(script, args) {
      const run = await ctx.timed('bash', ['-c', `set -euo pipefail; ${script}`, 'bench', ...args], { env: ctx.env() })
      if (run.code !== 0) throw new Error(`bash -c '${script}' failed (exit ${run.code}): ${tail(run.stderr)}`)
      return run
    },

    /** measure.mjs alternate, `runs` times (this run's runs per side by default), with progress lines. */
    alternate(label, sides, count = runs) {
      return alternate(label, sides, count, ctx.progress)
    },

    contextDir(name) {
      return path.join(workspace, 'ctx', name)
    },

    /** The label every image of a case carries, to find and remove them all. */
    labelOf(caseName) {
      return `ship-image-bench=${id}-${caseName}`
    },

    /**
     * A build context: FROM the base image, this case's label, then `randomLayers`
     * COPY'd files of LAYER_MB random bytes, a compressible text file of
     * `textLayerMb`, or (slowRun) the slow cacheable RUN step of the cache case.
     */
    makeContext(name, caseName, { randomLayers = 0, textLayerMb = 0, slowRun = false, binariesMb = 0 }) {
      const dir = ctx.contextDir(name)
      fs.mkdirSync(dir, { recursive: true })
      const lines = [`FROM ${services.baseImage}`, `LABEL ${ctx.labelOf(caseName)}`]
      if (binariesMb > 0) {
        copyLibraries(path.join(dir, 'lib'), binariesMb * MB)
        lines.push('COPY lib /lib-sample')
      }
      for (let n = 1; n <= randomLayers; n++) {
        fs.writeFileSync(path.join(dir, `random-${n}.bin`), randomFillSync(Buffer.alloc(LAYER_MB * MB)))
        lines.push(`COPY random-${n}.bin /data/random-${n}.bin`)
      }
      if (textLayerMb > 0) {
        fs.writeFileSync(path.join(dir, 'log.txt'), logLikeText(textLayerMb * MB))
        lines.push('COPY log.txt /data/log.txt')
      }
      if (slowRun) {
        lines.push(
          'RUN dd if=/dev/urandom of=/big bs=1M count=32 2>/dev/null && i=0 && while [ $i -lt 40 ]; do /bin/busybox sha256sum /big >/big.sha256; i=$((i+1)); done'
        )
      }
      fs.writeFileSync(path.join(dir, 'app.txt'), `${name}\n`)
      lines.push('COPY app.txt /app.txt')
      fs.writeFileSync(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`)
    },

    /** Removes every image of a case (tags first, then anything untagged left with its label). */
    removeImages(caseName) {
      const label = `label=${ctx.labelOf(caseName)}`
      const refs = ctx
        .docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', label], { allowFail: true })
        .stdout.split('\n')
        .filter((r) => r !== '' && !r.includes('<none>'))
      if (refs.length > 0) ctx.docker(['image', 'rm', '--force', ...refs], { allowFail: true })
      ctx.docker(['image', 'prune', '--all', '--force', '--filter', label], { allowFail: true })
    },

    /**
     * One run of the action as the runner does it (scripts/lib/step-runner.mjs): the
     * main step, then (unless post: false) the post step, in a fresh layout whose
     * workspace and HOME are this run's; throws when a step fails. `ms` covers both
     * steps, `postMs` the post step alone; `watch` collects the names of the main
     * step's descendant processes in `seen`; `onStdout(all, ms)` sees its stdout.
     */
    async runAction(inputs, { env = {}, post = true, watch = false, onStdout } = {}) {
      const layout = makeLayout(path.join(tmp, 'steps', String(++steps)), { workspace, home })
      const seen = new Set()
      try {
        const onSpawn = watch ? watchDescendants(seen) : undefined
        const { main, post: after } = await runSteps(layout, inputs, { env, post, onStdout, onSpawn })
        if (main.code !== 0) throw new Error(`the action failed (exit ${main.code}):\n${tail(main.log)}`)
        if (after && after.code !== 0) throw new Error(`the post step failed (exit ${after.code}):\n${tail(after.log)}`)
        const postMs = after?.ms ?? 0
        return { ms: main.ms + postMs, postMs, log: main.log, outputs: main.outputs, seen, spawnedAt: main.spawnedAt }
      } finally {
        fs.rmSync(layout.root, { recursive: true, force: true })
      }
    },

    /** Removes the images of the given cases and the temporary folder. */
    cleanUp(caseNames) {
      for (const name of caseNames) ctx.removeImages(name)
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }
  return ctx
}

/** The size of a file, which is then deleted. */
export function takeFile(file) {
  const size = fs.statSync(file).size
  fs.rmSync(file)
  return size
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
}

/** About `bytes` of log-like text: compresses several times, not trivially. */
function logLikeText(bytes) {
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN']
  const parts = []
  let size = 0
  for (let n = 0; size < bytes; n++) {
    const r = randomBytes(4)
    const line = `2024-05-${String(1 + (n % 28)).padStart(2, '0')}T12:${String(n % 60).padStart(2, '0')}:00Z ${levels[r[0] % 5]} worker-${r[1] % 8} request id=${r.toString('hex')} path=/api/v1/items/${r.readUInt16LE(2)} status=${r[2] % 10 ? 200 : 404} ms=${r[3]}\n`
    parts.push(line)
    size += line.length
  }
  return parts.join('').slice(0, bytes)
}
